package com.permamind.gateway.deploy;

import com.permamind.gateway.ans104.DataItem;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A bundler on 127.0.0.1 that keeps what it receives and answers as Turbo does, or with a set failure. */
final class StandInBundler implements AutoCloseable {

    record Upload(String method, String path, String contentType, byte[] body) {
    }

    private final HttpServer server;
    private final List<Upload> uploads = new CopyOnWriteArrayList<>();
    private volatile int failWith;

    StandInBundler() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            uploads.add(new Upload(exchange.getRequestMethod(), exchange.getRequestURI().getPath(),
                exchange.getRequestHeaders().getFirst("Content-Type"), body));
            int status = failWith != 0 ? failWith : 200;
            String answer = failWith != 0 ? "{\"error\":\"insufficient balance\"}"
                : "{\"id\":\"" + DataItem.parse(body).id() + "\",\"owner\":\"stand-in\",\"winc\":\"0\"}";
            byte[] bytes = answer.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(status, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        server.start();
    }

    URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/v1");
    }

    List<Upload> uploads() {
        return uploads;
    }

    void failWith(int status) {
        failWith = status;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}

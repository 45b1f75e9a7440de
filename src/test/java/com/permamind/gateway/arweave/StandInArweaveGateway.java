package com.permamind.gateway.arweave;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/** An Arweave gateway on 127.0.0.1 serving {@code /raw/{id}} from memory, as slowly or as badly as told. */
final class StandInArweaveGateway implements AutoCloseable {

    private final HttpServer server;
    private final ExecutorService handlers = Executors.newCachedThreadPool();
    private final Map<String, byte[]> items = new ConcurrentHashMap<>();
    private final AtomicInteger requests = new AtomicInteger();
    private volatile int failWith;
    private volatile Duration delay = Duration.ZERO;

    StandInArweaveGateway() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setExecutor(handlers);
        server.createContext("/raw/", exchange -> {
            requests.incrementAndGet();
            try {
                Thread.sleep(delay.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            byte[] item = items.get(exchange.getRequestURI().getPath().substring("/raw/".length()));
            int status = failWith != 0 ? failWith : item == null ? 404 : 200;
            byte[] body = status == 200 ? item : ("HTTP " + status).getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
    }

    URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** How many {@code /raw/} requests arrived. */
    int requests() {
        return requests.get();
    }

    void serve(String id, byte[] bytes) {
        items.put(id, bytes);
    }

    void failWith(int status) {
        failWith = status;
    }

    void delay(Duration delay) {
        this.delay = delay;
    }

    @Override
    public void close() {
        server.stop(0);
        handlers.shutdownNow();
    }
}

package com.permamind.gateway.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;

/**
 * The baseline of the "cached reads" step: a bare Vert.x HTTP server, in its own JVM with the
 * gateway's JVM options, that answers every request with one recorded gateway answer (status,
 * headers, body bytes). It is what the gateway would cost if serving a cached answer cost nothing
 * but Vert.x itself.
 *
 * <pre>java -cp ... com.permamind.gateway.bench.BareVertxServer PORT ANSWER.json</pre>
 * ANSWER.json: {@code {"status": 200, "headers": {"Content-Type": "..."}, "bodyBase64": "..."}}.
 * Prints {@code ready <port>} once it listens.
 */
public final class BareVertxServer {

    private BareVertxServer() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            throw new IllegalArgumentException("usage: BareVertxServer PORT ANSWER.json");
        }
        int port = Integer.parseInt(args[0]);
        JsonNode answer = new ObjectMapper().readTree(Files.readString(Path.of(args[1])));
        int status = answer.path("status").asInt(200);
        MultiMap headers = MultiMap.caseInsensitiveMultiMap();
        answer.path("headers").properties().forEach(header -> headers.add(header.getKey(), header.getValue().asText()));
        Buffer body = Buffer.buffer(Base64.getDecoder().decode(answer.path("bodyBase64").asText()));

        // Vert.x defaults (2 event loops per core), as the gateway's platform-http server has
        Vertx vertx = Vertx.vertx();
        HttpServer server = vertx.createHttpServer().requestHandler(request -> {
            var response = request.response().setStatusCode(status);
            response.headers().addAll(headers);
            response.end(body);
        });
        int bound = server.listen(port, "127.0.0.1").toCompletionStage().toCompletableFuture().join().actualPort();
        Runtime.getRuntime().addShutdownHook(new Thread(vertx::close, "bare-vertx-stop"));
        System.out.println("ready " + bound);
    }
}

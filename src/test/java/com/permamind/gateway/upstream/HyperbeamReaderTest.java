package com.permamind.gateway.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.permamind.gateway.query.RegistryRequest;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The node's time limit covers the whole answer: a node that sends its headers and then stalls
 * mid-body fails within the limit, as one that never answers does. The stalling node is a socket
 * that speaks just enough HTTP/1.1 for that; the simulator's faults cover the other failures.
 */
class HyperbeamReaderTest {

    private static final NodeHttpClient HTTP = new NodeHttpClient(4, Duration.ofSeconds(1), 1 << 20);

    private final CountDownLatch release = new CountDownLatch(1);
    private ServerSocket node;

    @AfterEach
    void stop() throws IOException {
        release.countDown();
        if (node != null) {
            node.close();
        }
    }

    @Test
    void should_fail_within_the_limit_when_a_node_stalls_mid_body() throws Exception {
        String half = "{\"ok\":true,\"data\":{\"name\":\"";
        URI stalling = serve("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n" + half);
        HyperbeamReader reader = reader(stalling, Duration.ofMillis(500));

        long start = System.nanoTime();
        UpstreamException failure = assertThrows(UpstreamException.class, () -> reader.read(exchange(), skill()));
        long elapsedMillis = (System.nanoTime() - start) / 1_000_000;

        assertTrue(failure.getMessage().contains("no answer within 500 ms"), failure.getMessage());
        // the node stays silent until the test ends: only the limit can end the read (the bound is
        // loose because this machine is shared, and a first call also loads the HTTP client)
        assertTrue(elapsedMillis >= 450 && elapsedMillis < 5000, "failed after " + elapsedMillis + " ms");
    }

    @Test
    void should_fail_within_the_limit_when_a_node_trickles_its_body() throws Exception {
        // a byte every 200 ms: no single read waits long, the whole body would take 8 s
        String[] parts = new String[41];
        parts[0] = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 40\r\n\r\n";
        java.util.Arrays.fill(parts, 1, parts.length, " ");
        HyperbeamReader reader = reader(serve(parts), Duration.ofMillis(500));

        long start = System.nanoTime();
        UpstreamException failure = assertThrows(UpstreamException.class, () -> reader.read(exchange(), skill()));
        long elapsedMillis = (System.nanoTime() - start) / 1_000_000;

        assertTrue(failure.getMessage().contains("no answer within 500 ms"), failure.getMessage());
        assertTrue(elapsedMillis >= 450 && elapsedMillis < 4000, "failed after " + elapsedMillis + " ms");
    }

    @Test
    void should_read_a_whole_answer_sent_in_pieces() throws Exception {
        String body = "{\"ok\":true,\"data\":{\"name\":\"pieces\"}}";
        URI pieces = serve("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + body.length()
                + "\r\n\r\n" + body.substring(0, 10), body.substring(10));
        HyperbeamReader reader = reader(pieces, Duration.ofSeconds(2));

        assertEquals(body, reader.read(exchange(), skill()).toString());
    }

    private static HyperbeamReader reader(URI node, Duration limit) {
        return new HyperbeamReader(HTTP, List.of(node), "process", "now", "module", limit,
                new UpstreamTiming(new SimpleMeterRegistry()));
    }

    private static DefaultExchange exchange() {
        return new DefaultExchange(new DefaultCamelContext());
    }

    private static RegistryRequest skill() {
        TreeMap<String, String> params = new TreeMap<>();
        params.put("name", "pieces");
        return new RegistryRequest("get-skill", "get-skill", params);
    }

    // One connection: the parts are written 200 ms apart; after the last, the socket stays open and silent.
    private URI serve(String... parts) throws IOException {
        node = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        Thread server = new Thread(() -> {
            try (Socket socket = node.accept()) {
                socket.getInputStream().read(new byte[8192]);
                OutputStream out = socket.getOutputStream();
                for (String part : parts) {
                    out.write(part.getBytes(StandardCharsets.UTF_8));
                    out.flush();
                    Thread.sleep(200);
                }
                release.await();
            } catch (IOException | InterruptedException e) {
                // the test is over
            }
        }, "stalling-node");
        server.setDaemon(true);
        server.start();
        return URI.create("http://127.0.0.1:" + node.getLocalPort());
    }
}

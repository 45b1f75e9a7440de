package com.permamind.gateway.bench;

import com.permamind.gateway.GatewayConfiguration;
import com.permamind.gateway.upstream.NodeHttpClient;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import org.apache.hc.core5.http.HttpHost;

/**
 * One caller, one call at a time, against a local Vert.x server that answers a 1.2 KB JSON body at
 * once: latency and client CPU per call of the gateway's two upstream HTTP clients, the JDK's (the
 * compute unit tier, as the gateway configures it) and {@link NodeHttpClient} (HyperBEAM). Client
 * CPU is that of every thread but the server's. The first round of each is the JIT's warm-up.
 * Run with bench/node-client.
 */
public final class NodeClientBenchmark {

    private static final String BODY = "{\"ok\":true,\"data\":{\"name\":\"node-client\",\"readme\":\"" + "x".repeat(1160) + "\"}}";

    private NodeClientBenchmark() {
    }

    interface Call {
        int status() throws Exception;
    }

    public static void main(String[] args) throws Exception {
        long roundNanos = Duration.ofSeconds(args.length > 0 ? Long.parseLong(args[0]) : 8).toNanos();
        Vertx vertx = Vertx.vertx();
        Buffer body = Buffer.buffer(BODY);
        int port = vertx.createHttpServer().requestHandler(request -> request.response()
                        .putHeader("Content-Type", "application/json").end(body))
                .listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().join().actualPort();
        URI uri = URI.create("http://127.0.0.1:" + port + "/read");
        Duration limit = Duration.ofSeconds(5);

        HttpClient jdk = new GatewayConfiguration().computeUnitHttpClient(1000);
        HttpRequest jdkRequest = HttpRequest.newBuilder(uri).header("Accept", "application/json").timeout(limit).GET().build();
        NodeHttpClient node = new NodeHttpClient(4, Duration.ofSeconds(1), 1 << 20);
        HttpHost host = HttpHost.create(uri);
        String path = uri.getRawPath();

        System.out.printf("one caller, a %d-byte answer, %d s per round; client CPU = every thread but Vert.x's%n",
                BODY.length(), roundNanos / 1_000_000_000L);
        System.out.printf("%-6s %-28s %10s %9s %9s %14s%n", "round", "client", "calls", "p50 µs", "p99 µs", "CPU µs/call");
        for (int round = 1; round <= 4; round++) {
            measure(round, "JDK HttpClient (compute unit)", roundNanos,
                    () -> jdk.send(jdkRequest, HttpResponse.BodyHandlers.ofByteArray()).statusCode());
            measure(round, "NodeHttpClient (HyperBEAM)", roundNanos, () -> node.get(host, path, limit, "bench").status());
        }
        node.close();
        vertx.close();
        System.exit(0);
    }

    private static void measure(int round, String name, long roundNanos, Call call) throws Exception {
        long[] latencies = new long[4_000_000];
        int calls = 0;
        long cpuBefore = clientCpuNanos();
        long end = System.nanoTime() + roundNanos;
        while (System.nanoTime() < end && calls < latencies.length) {
            long start = System.nanoTime();
            if (call.status() != 200) {
                throw new IllegalStateException(name + ": not a 200");
            }
            latencies[calls++] = System.nanoTime() - start;
        }
        long cpu = clientCpuNanos() - cpuBefore;
        long[] sorted = Arrays.copyOf(latencies, calls);
        Arrays.sort(sorted);
        System.out.printf("%-6s %-28s %10d %9d %9d %14d%n", round == 1 ? "1 JIT" : String.valueOf(round), name, calls,
                sorted[calls / 2] / 1000, sorted[calls * 99 / 100] / 1000, cpu / calls / 1000);
    }

    private static long clientCpuNanos() {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long total = 0;
        for (ThreadInfo thread : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (thread != null && !thread.getThreadName().startsWith("vert.x-")) {
                total += Math.max(0, threads.getThreadCpuTime(thread.getThreadId()));
            }
        }
        return total;
    }
}

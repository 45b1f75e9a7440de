package com.permamind.gateway.abuse;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.management.MBeanServerConnection;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A 10 MB body to any route costs the gateway's heap less than 1 MB, under the shipped JVM options:
 * the gateway runs in a JVM of its own, started with {@code ops/jvm/gateway.options} (its bounded
 * heap and {@code ExitOnOutOfMemoryError}), and the heap its HTTP event loops allocate while they
 * take each request is read over JMX (HotSpot's per-thread allocation counters). A body read into
 * memory, as every route did with Vert.x's default limit of 10 MB, is 10 MB allocated there.
 * Its upstreams and Kafka are not there: the body is refused before any of them would be asked.
 */
class BodyLimitHeapTest {

    private static final int TEN_MB = 10 << 20;
    private static final long MAX_HEAP_PER_REQUEST = 1 << 20;

    private static Process gateway;
    private static Path log;
    private static int apiPort;
    private static JMXConnector jmx;
    private static com.sun.management.ThreadMXBean threads;

    @BeforeAll
    static void startGatewayJvm() throws Exception {
        apiPort = freePort();
        int jmxPort = freePort();
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("@" + Path.of("ops/jvm/gateway.options").toAbsolutePath());
        command.addAll(List.of("-Dcom.sun.management.jmxremote.port=" + jmxPort,
                "-Dcom.sun.management.jmxremote.rmi.port=" + jmxPort, "-Dcom.sun.management.jmxremote.host=127.0.0.1",
                "-Djava.rmi.server.hostname=127.0.0.1", "-Dcom.sun.management.jmxremote.authenticate=false",
                "-Dcom.sun.management.jmxremote.ssl=false",
                "-Dcamel.server.host=127.0.0.1", "-Dcamel.server.port=" + apiPort,
                "-Dcamel.management.host=127.0.0.1", "-Dcamel.management.port=" + freePort(),
                "-Dhyperbeam.nodes=http://127.0.0.1:" + freePort(), "-Dao.cu-url=http://127.0.0.1:" + freePort(),
                "-Dkafka.bootstrap-servers=127.0.0.1:" + freePort(), "-Darweave.drift-check-enabled=false"));
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), "com.permamind.gateway.GatewayApplication"));
        log = Files.createTempFile("body-limit-gateway", ".log");
        gateway = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        awaitAnswers();
        jmx = JMXConnectorFactory.connect(new JMXServiceURL(
                "service:jmx:rmi:///jndi/rmi://127.0.0.1:" + jmxPort + "/jmxrmi"));
        MBeanServerConnection connection = jmx.getMBeanServerConnection();
        threads = ManagementFactory.newPlatformMXBeanProxy(connection, ManagementFactory.THREAD_MXBEAN_NAME,
                com.sun.management.ThreadMXBean.class);
    }

    @AfterAll
    static void stop() throws Exception {
        if (jmx != null) {
            jmx.close();
        }
        if (gateway != null) {
            gateway.destroy();
            if (!gateway.waitFor(20, TimeUnit.SECONDS)) {
                gateway.destroyForcibly();
            }
        }
    }

    @ParameterizedTest(name = "{0} {1}, {2}")
    @CsvSource(delimiter = ' ', value = {
        "GET /api/skills/search?q=claude length",
        "GET /api/skills/cron length",
        "GET /api/info chunked",
        "POST /api/skills/cron/downloads length",
        "POST /api/skills/cron/downloads chunked",
        "POST /api/skills/search length",
    })
    void ten_megabytes_of_body_cost_less_than_a_megabyte_of_heap(String method, String path, String framing)
            throws Exception {
        long before = eventLoopAllocatedBytes();
        String answer = send(method, path, framing.equals("chunked"));
        long allocated = eventLoopAllocatedBytes() - before;

        assertTrue(answer.startsWith("HTTP/1.1 413 "), answer);
        assertTrue(allocated < MAX_HEAP_PER_REQUEST, "the event loops allocated " + allocated + " bytes of heap");
        assertTrue(gateway.isAlive(), "the gateway's JVM exited; see " + log);
    }

    // 10 MB sent, or as much as the gateway takes before it closes the connection; then its answer
    private static String send(String method, String path, boolean chunked) throws IOException {
        try (RawHttpConnection connection = RawHttpConnection.open("127.0.0.1", apiPort)) {
            connection.send(method + " " + path + " HTTP/1.1\r\nHost: gateway\r\nContent-Type: application/json\r\n"
                    + (chunked ? "Transfer-Encoding: chunked\r\n" : "Content-Length: " + TEN_MB + "\r\n") + "\r\n");
            byte[] piece = new byte[64 << 10];
            Arrays.fill(piece, (byte) ' ');
            if (chunked) {
                piece = (Integer.toHexString(piece.length) + "\r\n" + new String(piece, StandardCharsets.US_ASCII) + "\r\n")
                        .getBytes(StandardCharsets.US_ASCII);
            }
            for (int sent = 0; sent < TEN_MB && connection.sendIgnoringReset(piece); sent += 64 << 10) {
                // until 10 MB are sent, or the gateway closed the connection
            }
            return connection.readAnswer();
        }
    }

    // the heap Vert.x's event loops have allocated so far: they read every request, and its body
    private static long eventLoopAllocatedBytes() {
        long[] ids = threads.getAllThreadIds();
        ThreadInfo[] infos = threads.getThreadInfo(ids);
        List<Long> eventLoops = new ArrayList<>();
        for (ThreadInfo info : infos) {
            if (info != null && info.getThreadName().startsWith("vert.x-eventloop-thread-")) {
                eventLoops.add(info.getThreadId());
            }
        }
        assertTrue(!eventLoops.isEmpty(), "no event loop thread in the gateway's JVM");
        return Arrays.stream(threads.getThreadAllocatedBytes(eventLoops.stream().mapToLong(Long::longValue).toArray()))
                .sum();
    }

    private static void awaitAnswers() throws Exception {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            if (!gateway.isAlive()) {
                throw new IllegalStateException("the gateway's JVM exited; see " + log + ":\n" + Files.readString(log));
            }
            try {
                http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + apiPort + "/api/openapi.json"))
                        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding());
                return;
            } catch (IOException notYet) {
                Thread.sleep(200);
            }
        }
        throw new IllegalStateException("the gateway did not answer within 120 s; see " + log);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}

package com.permamind.gateway.dev;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.permamind.gateway.ans104.Base64Url;
import com.permamind.gateway.simulator.RegistrySimulator;
import com.permamind.gateway.simulator.SimulatorConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.RSAKeyGenParameterSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Several gateways behind HAProxy on one machine (docs/scale-out.md): each gateway a JVM of its own,
 * started as the image starts it or from the built classes, all in one forwarder consumer group on
 * one broker, signing with one wallet; HAProxy runs {@code ops/haproxy/haproxy.cfg}, the file
 * docker-compose.yml mounts, with this cluster's addresses in place of the containers'. Used by
 * {@code ops/cluster} (through {@link #main}), the cluster tests and the suite's scale-out step.
 */
public final class LocalCluster implements AutoCloseable {

    public static final String EVENTS_TOPIC = "registry.download-events";
    public static final String DLQ_TOPIC = "registry.download-events.dlq";
    /** As docker-compose.yml creates them: room for 6 consumers in the forwarder's group. */
    public static final int PARTITIONS = 6;
    /**
     * HAProxy checks readiness every second and takes a gateway out after 2 failed checks, about 2 s;
     * the drain leaves room for a slow check on a loaded machine.
     */
    public static final int STOP_DRAIN_MILLIS = 5000;
    /** Stands for a real client-hash secret: the same on every gateway, or a client's hash differs by gateway. */
    private static final String CLIENT_HASH_SECRET = "local-cluster-client-hash-secret-0123456789";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2))
            .version(HttpClient.Version.HTTP_1_1).build();

    /**
     * How a gateway JVM is started: a command and its environment, to which each gateway's ports,
     * upstreams and settings are added.
     */
    public record Launch(List<String> command, Map<String, String> environment) {

        /** {@code java @ops/jvm/gateway.options -cp <classpath> GatewayApplication}, logging as shipped. */
        public static Launch classes(Path root, String classpath) {
            return new Launch(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "@" + root.resolve("ops/jvm/gateway.options"),
                    "-Dlog4j2.configurationFile=" + root.resolve("src/main/resources/log4j2.properties"),
                    "-cp", classpath, "com.permamind.gateway.GatewayApplication"), Map.of());
        }

        /** The image's entry point, {@code ops/jvm/gateway}, over an assembled application (bench/run's). */
        public static Launch image(Path launcher, Path appHome, Map<String, String> environment) {
            Map<String, String> env = new LinkedHashMap<>(environment);
            env.put("APP_HOME", appHome.toString());
            env.put("JAVA_HOME", System.getProperty("java.home"));
            return new Launch(List.of(launcher.toString()), env);
        }
    }

    private final Path root;
    private final Path work;
    private final List<Gateway> gateways = new ArrayList<>();
    private final int port;
    private final int statsPort;
    private Process haproxy;

    private LocalCluster(Path root, Path work, int port, int statsPort) {
        this.root = root;
        this.work = work;
        this.port = port;
        this.statsPort = statsPort;
    }

    /**
     * Starts {@code count} gateways on the simulator's upstreams and the broker (its event topics
     * created with {@link #PARTITIONS} partitions when missing), then HAProxy on {@code port} (0: a
     * free one); returns once HAProxy sees every gateway ready. {@code settings} are environment
     * variables every gateway gets, after the cluster's own.
     */
    public static LocalCluster start(Path root, Path work, RegistrySimulator simulator, EmbeddedKafka kafka,
            int count, Launch launch, Map<String, String> settings, int port) throws IOException, InterruptedException {
        Files.createDirectories(work);
        createTopics(kafka);
        Path wallet = work.resolve("wallet.json");
        if (!Files.exists(wallet)) {
            writeWallet(wallet);
        }
        Map<String, String> env = new LinkedHashMap<>(launch.environment());
        env.put("GATEWAY_HOST", "127.0.0.1");
        env.put("GATEWAY_MANAGEMENT_HOST", "127.0.0.1");
        env.put("HYPERBEAM_NODES", simulator.hyperbeamUrl());
        env.put("AO_CU_URL", simulator.cuUrl());
        env.put("AO_MU_URL", simulator.muUrl());
        env.put("REGISTRY_PROCESS_ID", simulator.processId());
        env.put("REGISTRY_LUA_MODULE_ID", simulator.moduleId());
        env.put("ARWEAVE_DRIFT_CHECK_ENABLED", "false");
        env.put("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
        env.put("DOWNLOAD_EVENTS_TOPIC", EVENTS_TOPIC);
        env.put("DOWNLOAD_EVENTS_DLQ_TOPIC", DLQ_TOPIC);
        // one wallet for all: a message's id depends on its signer, so only then is an event that a
        // second gateway sends again (after a rebalance) the same message, which the process refuses
        env.put("DOWNLOAD_EVENTS_WALLET_FILE", wallet.toString());
        env.put("DOWNLOAD_EVENTS_CLIENT_HASH_SECRET", CLIENT_HASH_SECRET);
        env.put("DOWNLOAD_EVENTS_CLIENT_ADDRESS_HEADER", "X-Forwarded-For");
        env.put("GATEWAY_STOP_DRAIN_MILLIS", Integer.toString(STOP_DRAIN_MILLIS));
        // the gateways share this machine's address at the compute unit, as gateways behind one NAT:
        // its 6 dry-runs a minute per address are divided among them (docs/scale-out.md)
        env.put("AO_DRYRUNS_PER_MINUTE", Integer.toString(Math.max(1, 6 / count)));
        env.putAll(settings);

        LocalCluster cluster = new LocalCluster(root, work, port == 0 ? freePort() : port, freePort());
        try {
            for (int i = 1; i <= count; i++) {
                Gateway gateway = cluster.new Gateway("gateway-" + i, freePort(), freePort(), launch.command(), env);
                cluster.gateways.add(gateway);
                gateway.start();
            }
            for (Gateway gateway : cluster.gateways) {
                gateway.awaitReady(Duration.ofSeconds(180));
            }
            cluster.startHaproxy();
            for (Gateway gateway : cluster.gateways) {
                cluster.awaitServer(gateway, "UP", Duration.ofSeconds(30));
            }
            return cluster;
        } catch (IOException | InterruptedException | RuntimeException e) {
            cluster.close();
            throw e;
        }
    }

    /** Creates the event topic and the DLQ, unless they exist (ops/cluster's broker creates none itself). */
    private static void createTopics(EmbeddedKafka kafka) {
        for (String topic : List.of(EVENTS_TOPIC, DLQ_TOPIC)) {
            try {
                kafka.createTopic(topic, PARTITIONS);
            } catch (IllegalStateException e) {
                if (!String.valueOf(e.getCause()).contains("TopicExists")) {
                    throw e;
                }
            }
        }
    }

    /** The load balancer's URL of {@code path}. */
    public String url(String path) {
        return "http://127.0.0.1:" + port + path;
    }

    public int port() {
        return port;
    }

    /** HAProxy's statistics page, HTML; {@code /stats;csv} as CSV; {@code /metrics} for Prometheus. */
    public String statsUrl(String path) {
        return "http://127.0.0.1:" + statsPort + path;
    }

    public long haproxyPid() {
        return haproxy.pid();
    }

    public List<Gateway> gateways() {
        return List.copyOf(gateways);
    }

    public Gateway gateway(int number) {
        return gateways.get(number - 1);
    }

    /** The HAProxy status of a gateway in the reads backend: UP, DOWN, "UP 1/2", "NOLB", ... */
    public String serverStatus(Gateway gateway) {
        try {
            return serverStatistics("reads", gateway).getOrDefault("status", "absent");
        } catch (IOException e) {
            return "unknown: " + e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown";
        }
    }

    /**
     * HAProxy's statistics of a gateway in a backend, by the CSV's column names (management guide,
     * "show stat"): {@code status}, {@code hrsp_5xx} (its 5xx answers), {@code wretr} (requests
     * tried again), {@code wredis} (sent on to another gateway), {@code stot} (sessions), ...
     */
    public Map<String, String> serverStatistics(String backend, Gateway gateway) throws IOException, InterruptedException {
        String csv = HTTP.send(HttpRequest.newBuilder(URI.create(statsUrl("/stats;csv"))).timeout(Duration.ofSeconds(5))
                .build(), HttpResponse.BodyHandlers.ofString()).body();
        List<String> lines = csv.lines().toList();
        String[] names = lines.get(0).replaceFirst("^# ", "").split(",", -1);
        Map<String, String> statistics = new LinkedHashMap<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] fields = line.split(",", -1);
            if (fields.length >= 2 && fields[0].equals(backend) && fields[1].equals(gateway.name())) {
                for (int i = 0; i < Math.min(names.length, fields.length); i++) {
                    statistics.put(names[i], fields[i]);
                }
            }
        }
        return statistics;
    }

    /** Waits until HAProxy reports the gateway's status as {@code status}. */
    public void awaitServer(Gateway gateway, String status, Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        String seen = serverStatus(gateway);
        while (!seen.equals(status)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("HAProxy saw " + gateway.name() + " " + seen + ", not " + status
                        + ", for " + limit.toSeconds() + " s");
            }
            Thread.sleep(100);
            seen = serverStatus(gateway);
        }
    }

    /** The HAProxy log (its notices: servers going up and down). */
    public String haproxyLog() {
        return read(work.resolve("haproxy.log"));
    }

    private void startHaproxy() throws IOException, InterruptedException {
        Path config = work.resolve("haproxy.cfg");
        Files.writeString(config, haproxyConfig(Files.readString(root.resolve("ops/haproxy/haproxy.cfg"))));
        String binary = System.getenv().getOrDefault("HAPROXY", Files.isExecutable(Path.of("/usr/sbin/haproxy"))
                ? "/usr/sbin/haproxy" : "haproxy");
        haproxy = new ProcessBuilder(binary, "-db", "-f", config.toString()).redirectErrorStream(true)
                .redirectOutput(work.resolve("haproxy.log").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) {
            if (!haproxy.isAlive()) {
                throw new IOException("haproxy exited with " + haproxy.exitValue() + ":\n" + haproxyLog());
            }
            try {
                HTTP.send(HttpRequest.newBuilder(URI.create(statsUrl("/stats;csv"))).timeout(Duration.ofSeconds(5)).build(),
                        HttpResponse.BodyHandlers.discarding());
                return;
            } catch (IOException notYet) {
                if (System.nanoTime() > deadline) {
                    throw new IOException("haproxy did not listen within 20 s:\n" + haproxyLog());
                }
            }
            Thread.sleep(50);
        }
    }

    /**
     * ops/haproxy/haproxy.cfg for this machine: the lines after "# local: ..." bind this cluster's
     * ports, and the server lines between "# servers: begin" and "# servers: end" name its gateways.
     */
    String haproxyConfig(String template) {
        StringBuilder out = new StringBuilder();
        String replaceNext = null;
        boolean inServers = false;
        for (String line : template.lines().toList()) {
            String trimmed = line.strip();
            if (replaceNext != null && trimmed.startsWith("bind ")) {
                out.append("    bind 127.0.0.1:").append(replaceNext.equals("bind") ? port : statsPort).append('\n');
                replaceNext = null;
                continue;
            }
            if (trimmed.startsWith("# local: ")) {
                replaceNext = trimmed.substring("# local: ".length()).equals("bind") ? "bind" : "stats";
            }
            if (trimmed.startsWith("# servers: begin")) {
                out.append(line).append('\n');
                boolean tracking = trimmed.contains("tracking");
                for (Gateway gateway : gateways) {
                    out.append("    server ").append(gateway.name()).append(" 127.0.0.1:").append(gateway.port())
                            .append(tracking ? " track reads/" + gateway.name() : " port " + gateway.managementPort())
                            .append('\n');
                }
                inServers = true;
                continue;
            }
            if (trimmed.startsWith("# servers: end")) {
                inServers = false;
            }
            if (!inServers) {
                out.append(line).append('\n');
            }
        }
        return out.toString();
    }

    /** Stops HAProxy, then every gateway (SIGTERM, SIGKILL after 40 s). */
    @Override
    public void close() {
        if (haproxy != null && haproxy.isAlive()) {
            haproxy.destroy();
            try {
                haproxy.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            haproxy.destroyForcibly();
        }
        gateways.forEach(Gateway::stop);
        for (Gateway gateway : gateways) {
            if (!gateway.awaitExit(Duration.ofSeconds(40))) {
                gateway.kill();
            }
        }
    }

    /** One gateway JVM, on ports of its own that stay the same when it is started again. */
    public final class Gateway {
        private final String name;
        private final int port;
        private final int managementPort;
        private final List<String> command;
        private final Map<String, String> environment;
        private final Path log;
        private Process process;
        private volatile boolean stopAsked;

        private Gateway(String name, int port, int managementPort, List<String> command, Map<String, String> environment) {
            this.name = name;
            this.port = port;
            this.managementPort = managementPort;
            this.command = command;
            this.environment = new LinkedHashMap<>(environment);
            this.environment.put("GATEWAY_PORT", Integer.toString(port));
            this.environment.put("GATEWAY_MANAGEMENT_PORT", Integer.toString(managementPort));
            this.log = work.resolve(name + ".log");
        }

        public String name() {
            return name;
        }

        public int port() {
            return port;
        }

        public int managementPort() {
            return managementPort;
        }

        public long pid() {
            return process.pid();
        }

        public boolean alive() {
            return process != null && process.isAlive();
        }

        public String url(String path) {
            return "http://127.0.0.1:" + port + path;
        }

        public String managementUrl(String path) {
            return "http://127.0.0.1:" + managementPort + path;
        }

        /** Starts the JVM (again, after a stop, appending to its log); does not wait for it. */
        public synchronized void start() throws IOException {
            if (alive()) {
                throw new IllegalStateException(name + " runs already");
            }
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            builder.environment().putAll(environment);
            process = builder.start();
            stopAsked = false;
        }

        /** Whether {@link #stop} or {@link #kill} was called since it was last started. */
        public boolean stopAsked() {
            return stopAsked;
        }

        /** Waits until its readiness answers 200. */
        public void awaitReady(Duration limit) throws IOException, InterruptedException {
            long deadline = System.nanoTime() + limit.toNanos();
            HttpRequest ready = HttpRequest.newBuilder(URI.create(managementUrl("/observe/health/ready")))
                    .timeout(Duration.ofSeconds(5)).build();
            while (System.nanoTime() < deadline) {
                if (!alive()) {
                    throw new IOException(name + " exited while starting; its log, " + log + ":\n" + tail(60));
                }
                try {
                    if (HTTP.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                        return;
                    }
                } catch (IOException notYet) {
                    // not listening yet
                }
                Thread.sleep(100);
            }
            throw new IOException(name + " was not ready within " + limit.toSeconds() + " s:\n" + tail(60));
        }

        /** SIGTERM, as docker stop and Kubernetes send it: the graceful stop. Does not wait. */
        public void stop() {
            if (alive()) {
                stopAsked = true;
                process.destroy();
            }
        }

        /** SIGKILL: the JVM ends at once, nothing of its stop runs. */
        public void kill() {
            if (alive()) {
                stopAsked = true;
                process.destroyForcibly();
                awaitExit(Duration.ofSeconds(10));
            }
        }

        public boolean awaitExit(Duration limit) {
            if (process == null) {
                return true;
            }
            try {
                return process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }

        public int exitCode() {
            return alive() ? -1 : process.exitValue();
        }

        public String log() {
            return read(log);
        }

        public String tail(int lines) {
            List<String> all = log().lines().toList();
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        }

        @Override
        public String toString() {
            return name + " (:" + port + ", management :" + managementPort + ")";
        }
    }

    /**
     * A fresh Arweave wallet (RSA-4096, exponent 65537) as a JWK file, which every gateway of the
     * cluster signs with.
     */
    public static Path writeWallet(Path file) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(new RSAKeyGenParameterSpec(4096, RSAKeyGenParameterSpec.F4));
            RSAPrivateCrtKey key = (RSAPrivateCrtKey) generator.generateKeyPair().getPrivate();
            Map<String, String> jwk = new LinkedHashMap<>();
            jwk.put("kty", "RSA");
            jwk.put("n", number(key.getModulus()));
            jwk.put("e", number(key.getPublicExponent()));
            jwk.put("d", number(key.getPrivateExponent()));
            jwk.put("p", number(key.getPrimeP()));
            jwk.put("q", number(key.getPrimeQ()));
            jwk.put("dp", number(key.getPrimeExponentP()));
            jwk.put("dq", number(key.getPrimeExponentQ()));
            jwk.put("qi", number(key.getCrtCoefficient()));
            Files.writeString(file, new ObjectMapper().writeValueAsString(jwk));
            return file;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String number(BigInteger value) {
        byte[] bytes = value.toByteArray();
        int skip = bytes.length > 1 && bytes[0] == 0 ? 1 : 0;
        byte[] unsigned = new byte[bytes.length - skip];
        System.arraycopy(bytes, skip, unsigned, 0, unsigned.length);
        return Base64Url.encode(unsigned);
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file, StandardCharsets.ISO_8859_1) : "";
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }

    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * ops/cluster: the simulator on the fixture state, a broker, N gateways from the built classes
     * ({@code -Dcluster.gateway.classpath}) and HAProxy on {@code -Dcluster.port} (8080); runs until
     * SIGTERM or Ctrl-C, then stops them all. Argument: the number of gateways (2).
     */
    public static void main(String[] args) throws Exception {
        int count = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        Path root = Path.of(System.getProperty("cluster.root", ".")).toAbsolutePath().normalize();
        Path work = Path.of(System.getProperty("cluster.work", root.resolve("target/cluster").toString()));
        String classpath = System.getProperty("cluster.gateway.classpath");
        if (classpath == null || classpath.isBlank()) {
            throw new IllegalArgumentException("-Dcluster.gateway.classpath is required (ops/cluster sets it)");
        }
        RegistrySimulator simulator = new RegistrySimulator(SimulatorConfig.builder(RegistryFixture.defaultPath())
                .pinNowToStateFile().build()).start();
        EmbeddedKafka kafka = EmbeddedKafka.start(Integer.getInteger("cluster.kafka.port", 0), false);
        Map<String, String> settings = Map.of("GATEWAY_CLOCK_PINNED_AT", Long.toString(RegistryFixture.load().now()),
                "GATEWAY_CORS_ORIGINS", "*");
        CountDownLatch stopped = new CountDownLatch(1);
        LocalCluster cluster;
        try {
            cluster = start(root, work, simulator, kafka, count, Launch.classes(root, classpath), settings,
                    Integer.getInteger("cluster.port", 8080));
        } catch (Exception e) {
            simulator.stop();
            kafka.stop();
            throw e;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            cluster.close();
            simulator.stop();
            kafka.stop();
            stopped.countDown();
        }, "local-cluster-stop"));
        System.out.printf("%nRegistry simulator: HyperBEAM %s, compute unit %s, messenger unit %s%nKafka: %s (topic %s, %d partitions)%n",
                simulator.hyperbeamUrl(), simulator.cuUrl(), simulator.muUrl(), kafka.bootstrapServers(), EVENTS_TOPIC,
                PARTITIONS);
        for (Gateway gateway : cluster.gateways()) {
            System.out.printf("%s: pid %d, API http://127.0.0.1:%d, management http://127.0.0.1:%d, log %s%n",
                    gateway.name(), gateway.pid(), gateway.port(), gateway.managementPort(), gateway.log);
        }
        System.out.printf("HAProxy: %s (statistics %s, log %s)%n", cluster.url("/api/skills/search?q=ao"),
                cluster.statsUrl("/stats"), work.resolve("haproxy.log"));
        System.out.println("cluster ready");
        stopped.await();
    }
}

package com.permamind.gateway.dev;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.metadata.storage.Formatter;

/**
 * A single-node Kafka (KRaft, broker and controller in one process) for tests and the dev launcher.
 * Data lives in a fresh temp directory that survives {@link #stopBroker()} / {@link #startBroker()}
 * and is deleted by {@link #stop()}.
 */
public final class EmbeddedKafka implements AutoCloseable {

    private static final String HOST = "127.0.0.1";
    private static final int NODE_ID = 1;
    private static final String CONTROLLER_LISTENER = "CONTROLLER";
    private static final int SEGMENT_BYTES = 1024 * 1024;
    private static final long ADMIN_TIMEOUT_SECONDS = 30;

    private final File dataDir;
    private final KafkaConfig config;
    private final String bootstrapServers;
    private KafkaRaftServer server;

    private EmbeddedKafka(File dataDir, int port, boolean autoCreateTopics) {
        this.dataDir = dataDir;
        this.bootstrapServers = HOST + ":" + port;
        this.config = new KafkaConfig(brokerProperties(dataDir, port, freePort(), autoCreateTopics), false);
    }

    /** Starts on a free port with topic auto-creation on. */
    public static EmbeddedKafka start() {
        return start(0);
    }

    /** Starts on {@code port} (0 picks a free one) with topic auto-creation on. */
    public static EmbeddedKafka start(int port) {
        return start(port, true);
    }

    /** Starts on {@code port} (0 picks a free one). */
    public static EmbeddedKafka start(int port, boolean autoCreateTopics) {
        File dataDir = createTempDir();
        try {
            EmbeddedKafka kafka = new EmbeddedKafka(dataDir, port == 0 ? freePort() : port, autoCreateTopics);
            kafka.format();
            kafka.startBroker();
            return kafka;
        } catch (RuntimeException e) {
            deleteQuietly(dataDir);
            throw e;
        }
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    public void createTopic(String name, int partitions) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1)))
                    .all()
                    .get(ADMIN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted creating topic " + name, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("Could not create topic " + name, e);
        }
    }

    /** Starts the broker again on the same port and data directory; returns once it serves requests. */
    public synchronized void startBroker() {
        if (server != null) {
            return;
        }
        KafkaRaftServer starting = new KafkaRaftServer(config, Time.SYSTEM);
        try {
            starting.startup();
        } catch (RuntimeException e) {
            starting.shutdown();
            starting.awaitShutdown();
            throw e;
        }
        server = starting;
    }

    /** Shuts the broker down cleanly, keeping its data so {@link #startBroker()} can resume. */
    public synchronized void stopBroker() {
        if (server == null) {
            return;
        }
        server.shutdown();
        server.awaitShutdown();
        server = null;
    }

    public void restart() {
        stopBroker();
        startBroker();
    }

    /** Shuts the broker down and deletes its data. */
    public synchronized void stop() {
        stopBroker();
        deleteQuietly(dataDir);
    }

    @Override
    public void close() {
        stop();
    }

    /** What {@code kafka-storage.sh format} does: without it the server refuses an empty log dir. */
    private void format() {
        try {
            new Formatter()
                    .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
                    .setNodeId(NODE_ID)
                    .setClusterId(Uuid.randomUuid().toString())
                    .setControllerListenerName(CONTROLLER_LISTENER)
                    .setMetadataLogDirectory(dataDir.getAbsolutePath())
                    .addDirectory(dataDir.getAbsolutePath())
                    .run();
        } catch (Exception e) {
            throw new IllegalStateException("Could not format " + dataDir, e);
        }
    }

    private static Map<String, String> brokerProperties(File dataDir, int port, int controllerPort,
                                                        boolean autoCreateTopics) {
        // strings, as in server.properties: typed values must match the config's exact Java type (short, long, ...)
        Map<String, String> props = new HashMap<>();
        props.put("process.roles", "broker,controller");
        props.put("node.id", String.valueOf(NODE_ID));
        props.put("controller.quorum.voters", NODE_ID + "@" + HOST + ":" + controllerPort);
        props.put("listeners", "PLAINTEXT://" + HOST + ":" + port + "," + CONTROLLER_LISTENER + "://" + HOST + ":" + controllerPort);
        props.put("advertised.listeners", "PLAINTEXT://" + HOST + ":" + port);
        props.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
        props.put("controller.listener.names", CONTROLLER_LISTENER);
        props.put("inter.broker.listener.name", "PLAINTEXT");
        props.put("log.dirs", dataDir.getAbsolutePath());
        props.put("auto.create.topics.enable", String.valueOf(autoCreateTopics));
        props.put("num.partitions", "1");
        props.put("default.replication.factor", "1");
        props.put("min.insync.replicas", "1");
        props.put("offsets.topic.replication.factor", "1");
        // the default of 50 partitions makes the first consumer group wait for 50 logs to be created
        props.put("offsets.topic.num.partitions", "1");
        props.put("offsets.topic.segment.bytes", String.valueOf(SEGMENT_BYTES));
        props.put("transaction.state.log.replication.factor", "1");
        props.put("transaction.state.log.min.isr", "1");
        props.put("transaction.state.log.num.partitions", "1");
        props.put("transaction.state.log.segment.bytes", String.valueOf(SEGMENT_BYTES));
        props.put("log.segment.bytes", String.valueOf(SEGMENT_BYTES));
        props.put("log.index.size.max.bytes", "65536");
        // the cleaner allocates this buffer up front: 128 MiB by default
        props.put("log.cleaner.dedupe.buffer.size", "2097152");
        props.put("group.initial.rebalance.delay.ms", "0");
        props.put("num.network.threads", "2");
        props.put("num.io.threads", "2");
        // fail instead of hanging forever if the node cannot come up
        props.put("server.max.startup.time.ms", "30000");
        return props;
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("No free port on " + HOST, e);
        }
    }

    private static File createTempDir() {
        try {
            return Files.createTempDirectory("embedded-kafka-").toFile();
        } catch (IOException e) {
            throw new UncheckedIOException("Could not create the Kafka data directory", e);
        }
    }

    private static void deleteQuietly(File dir) {
        try {
            Utils.delete(dir);
        } catch (IOException e) {
            // a leftover temp dir must not fail a test that has already passed
        }
    }

}

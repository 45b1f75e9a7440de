package com.permamind.gateway.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A server JVM the suite starts ({@code java -cp}), whose start-up time is measured from just
 * before the process is spawned to its first 200 answer on a ready URL.
 */
final class ChildJvm implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(500))
            .version(HttpClient.Version.HTTP_1_1).build();

    private final String name;
    private final int port;
    private final Process process;
    private final long spawnNanos;
    private final Path log;
    private double startupMillis = -1;
    private int readyStatus = -1;

    private ChildJvm(String name, int port, Process process, long spawnNanos, Path log) {
        this.name = name;
        this.port = port;
        this.process = process;
        this.spawnNanos = spawnNanos;
        this.log = log;
    }

    static ChildJvm start(String name, int port, String classpath, List<String> jvmOptions, Map<String, String> env,
            String mainClass, List<String> args, Path log) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(classpath);
        command.add(mainClass);
        command.addAll(args);
        return start(name, port, command, env, log);
    }

    /** A JVM started by a launcher that ends in {@code exec java ...}, so the process is the JVM itself. */
    static ChildJvm start(String name, int port, List<String> command, Map<String, String> env, Path log)
            throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().putAll(env);
        long spawn = System.nanoTime();
        return new ChildJvm(name, port, builder.start(), spawn, log);
    }

    /**
     * Polls {@code readyUrl} every 10 ms until it answers 200; the start-up time is measured to then.
     * A server that answers, but not 200, for 15 s is taken as started and broken: the time is then
     * that of its first answer, and {@link #readyStatus()} says what it answered.
     */
    ChildJvm awaitReady(String readyUrl, Duration limit) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        long firstAnswer = 0;
        HttpRequest probe = HttpRequest.newBuilder(URI.create(readyUrl)).timeout(Duration.ofSeconds(5)).GET().build();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException(name + " exited with " + process.exitValue() + " before it was ready; see " + log);
            }
            try {
                int status = HTTP.send(probe, HttpResponse.BodyHandlers.discarding()).statusCode();
                long now = System.nanoTime();
                readyStatus = status;
                if (status == 200) {
                    startupMillis = (now - spawnNanos) / 1e6;
                    return this;
                }
                if (firstAnswer == 0) {
                    firstAnswer = now;
                } else if (now - firstAnswer > 15_000_000_000L) {
                    startupMillis = (firstAnswer - spawnNanos) / 1e6;
                    return this;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(10);
        }
        throw new IOException(name + " was not ready within " + limit.toSeconds() + " s; see " + log);
    }

    String name() {
        return name;
    }

    int port() {
        return port;
    }

    long pid() {
        return process.pid();
    }

    /** The status of the last readiness probe: 200 when ready. */
    int readyStatus() {
        return readyStatus;
    }

    double startupMillis() {
        return startupMillis;
    }

    Path log() {
        return log;
    }

    /** The exit code, or -1 while it runs. */
    int exitCode() {
        return process.isAlive() ? -1 : process.exitValue();
    }

    double rssMib() {
        return ProcStats.rssMib(process.pid());
    }

    @Override
    public void close() {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}

package com.permamind.gateway.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One wrk run with a script from bench/wrk: bounded by {@code -d} and by a hard kill a little
 * after it; its JSON report (written by the script's done()) is the result.
 */
final class Wrk {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path wrkDir;
    private final Path workDir;

    Wrk(Path wrkDir, Path workDir) {
        this.wrkDir = wrkDir;
        this.workDir = workDir;
    }

    /** What to run; {@code thinkMillis}: each connection's mean pause between an answer and its next request (0: none). */
    record Spec(String label, String script, String baseUrl, int connections, int seconds, int timeoutSeconds,
            Path paths, boolean once, int thinkMillis) {

        Spec withLabel(String newLabel) {
            return new Spec(newLabel, script, baseUrl, connections, seconds, timeoutSeconds, paths, once, thinkMillis);
        }

        Spec thinking(int millis) {
            return new Spec(label, script, baseUrl, connections, seconds, timeoutSeconds, paths, once, millis);
        }
    }

    /** A started run; {@link #await()} gives its report. */
    final class Running {
        private final Spec spec;
        private final Process process;
        private final Path report;
        private final Path output;

        private Running(Spec spec, Process process, Path report, Path output) {
            this.spec = spec;
            this.process = process;
            this.report = report;
            this.output = output;
        }

        long pid() {
            return process.pid();
        }

        ObjectNode await() throws IOException, InterruptedException {
            if (!process.waitFor(spec.seconds() + spec.timeoutSeconds() + 20L, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException("wrk " + spec.label() + " did not stop in time");
            }
            if (process.exitValue() != 0 || !Files.exists(report)) {
                throw new IOException("wrk " + spec.label() + " failed (exit " + process.exitValue() + "): "
                        + Files.readString(output).strip());
            }
            ObjectNode result = (ObjectNode) JSON.readTree(Files.readString(report));
            result.put("label", spec.label());
            result.put("connections", spec.connections());
            result.put("threads", 1);
            return result;
        }

        void kill() {
            process.destroyForcibly();
        }
    }

    Running start(Spec spec) throws IOException {
        String slug = spec.label().replaceAll("[^A-Za-z0-9]+", "-");
        Path report = workDir.resolve("wrk-" + slug + ".json");
        Path output = workDir.resolve("wrk-" + slug + ".txt");
        Files.deleteIfExists(report);
        List<String> command = new ArrayList<>(List.of("wrk", "-t1", "-c" + spec.connections(),
                "-d" + spec.seconds() + "s", "--timeout", spec.timeoutSeconds() + "s",
                "-s", wrkDir.resolve(spec.script()).toString(), spec.baseUrl()));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(output.toFile());
        Map<String, String> env = builder.environment();
        env.put("WRK_DIR", wrkDir.toString());
        env.put("WRK_REPORT", report.toString());
        env.put("WRK_LABEL", spec.label());
        env.put("WRK_THREADS", "1");
        // report.lua needs -c to undo wrk's made-up latencies
        env.put("WRK_CONNECTIONS", Integer.toString(spec.connections()));
        env.put("WRK_THINK_MS", Integer.toString(spec.thinkMillis()));
        if (spec.paths() != null) {
            env.put("WRK_PATHS", spec.paths().toString());
        }
        env.put("WRK_ONCE", spec.once() ? "1" : "0");
        return new Running(spec, builder.start(), report, output);
    }

    static JsonNode statuses(JsonNode report) {
        return report.path("statuses");
    }

    /** Responses with a 5xx status, from the script's counts (or wrk's non-2xx/3xx count). */
    static long serverErrors(JsonNode report) {
        if (!report.path("counted").asBoolean()) {
            return report.path("errors").path("status").asLong();
        }
        long count = 0;
        for (Map.Entry<String, JsonNode> status : report.path("statuses").properties()) {
            if (status.getKey().startsWith("5")) {
                count += status.getValue().asLong();
            }
        }
        return count;
    }

    /** Socket-level failures: connect, read and write errors. */
    static long socketErrors(JsonNode report) {
        JsonNode errors = report.path("errors");
        return errors.path("connect").asLong() + errors.path("read").asLong() + errors.path("write").asLong();
    }

    /**
     * wrk's timeouts: answers slower than {@code --timeout} (counted, but left out of the latency
     * figures) and requests still unanswered at that age; an answer can be both slow and non-2xx.
     */
    static long timeouts(JsonNode report) {
        return report.path("errors").path("timeout").asLong();
    }

    /** Answers the client cannot use (non-2xx/3xx) plus socket errors; timeouts are counted apart. */
    static long allErrors(JsonNode report) {
        return socketErrors(report) + report.path("errors").path("status").asLong();
    }

    /** How many answers the latency figures are made of (those within wrk's timeout). */
    static long latencySamples(JsonNode report) {
        return Math.max(0, report.path("requests").asLong() - timeouts(report));
    }

    static Map<String, Long> counts(JsonNode node) {
        Map<String, Long> counts = new LinkedHashMap<>();
        node.properties().forEach(entry -> counts.put(entry.getKey(), entry.getValue().asLong()));
        return counts;
    }
}

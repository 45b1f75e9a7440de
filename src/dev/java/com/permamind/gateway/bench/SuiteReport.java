package com.permamind.gateway.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The suite's one table: each figure next to the baseline measured in the same run, their ratio,
 * and the target with whether it is met. Rendered for the console and as Markdown.
 */
final class SuiteReport {

    private static final double MIB_TO_MB = 1.048576;

    private final JsonNode report;
    private final JsonNode steps;
    private final ArrayNode rows = PerformanceSuite.JSON.createArrayNode();

    SuiteReport(JsonNode report) {
        this.report = report;
        this.steps = report.path("steps");
        build();
    }

    ArrayNode rows() {
        return rows;
    }

    // --- the rows -----------------------------------------------------------------------------

    private void build() {
        cached();
        uncached();
        mix();
        failover();
        downloads();
        startupAndMemory();
        scaleOut();
    }

    // one gateway behind HAProxy is the baseline of two (ScaleOutStep)
    private void scaleOut() {
        JsonNode scaleOut = steps.path("scaleOut");
        String step = "scale-out: mix via HAProxy, 2 gateways";
        if (unavailable("scale-out (1 vs 2 gateways behind HAProxy)", scaleOut)) {
            return;
        }
        JsonNode one = scaleOut.path("gateways1");
        JsonNode two = scaleOut.path("gateways2");
        String base = "1 gateway via HAProxy";
        row(step, "throughput (req/s)", two.at("/run/rps"), one.at("/run/rps"), base, "rps", null, null);
        row(step, "p50 (ms)", two.at("/run/p50"), one.at("/run/p50"), base, "ms", null, null);
        row(step, "p99 (ms)", two.at("/run/p99"), one.at("/run/p99"), base, "ms", null, null);
        row(step, "cache hit rate (X-Registry-Source)", two.path("hitRate"), one.path("hitRate"), base, "ratio", null, null);
        row(step, "node reads (cache misses that went upstream)", two.path("nodeReads"), one.path("nodeReads"), base,
                "count", null, null);
        row(step, "gateway CPU per request (µs, all gateways)", two.path("gatewayCpuMicrosPerRequest"),
                one.path("gatewayCpuMicrosPerRequest"), base, "us", null, null);
        row(step, "HAProxy CPU per request (µs)", two.path("haproxyCpuMicrosPerRequest"),
                one.path("haproxyCpuMicrosPerRequest"), base, "us", null, null);
        row(step, "errors (non-2xx + socket) + timeouts", num(two.at("/run/errors").asLong() + two.at("/run/timeouts").asLong()),
                num(one.at("/run/errors").asLong() + one.at("/run/timeouts").asLong()), base, "count", "0",
                met(two.at("/run/requests").asLong() > 0 && two.at("/run/errors").asLong() == 0
                        && two.at("/run/timeouts").asLong() == 0));
        StringBuilder perGateway = new StringBuilder();
        two.path("perGateway").properties().forEach(entry -> perGateway.append(perGateway.isEmpty() ? "" : "; ")
                .append(entry.getKey()).append(" ").append(entry.getValue().path("cores").asText()).append(" cores, ")
                .append(Math.round(entry.getValue().path("rssMiB").asDouble())).append(" MiB"));
        textRow(step, "per gateway", perGateway.toString(), "load average " + two.path("loadAverage").asText());
    }

    private void cached() {
        JsonNode cached = steps.path("cached");
        if (unavailable("cached reads", cached)) {
            return;
        }
        for (String c : List.of("c64", "c1000")) {
            JsonNode gw = cached.path(c).path("gateway");
            JsonNode bare = cached.path(c).path("bare");
            String step = "cached reads, " + c.substring(1) + " conns";
            String base = "bare Vert.x";
            row(step, "throughput (req/s)", gw.path("rps"), bare.path("rps"), base, "rps",
                    c.equals("c64") ? "≥ 70 % of bare" : null,
                    c.equals("c64") ? met(ratio(gw.path("rps"), bare.path("rps")) >= 0.70) : null);
            row(step, "p50 (ms)", latency(gw, "p50"), bare.path("p50"), base, "ms", null, null);
            boolean answered = gw.path("requests").asLong() > 0;
            boolean p99Met = answered && !noAnswers(gw) && gw.path("p99").asDouble() <= 50;
            row(step, "p99 (ms)", latency(gw, "p99"), bare.path("p99"), base, "ms", c.equals("c1000") ? "≤ 50 ms" : null,
                    c.equals("c1000") ? met(p99Met) : null);
            row(step, "errors (non-2xx + socket) + timeouts", num(gw.path("errors").asLong() + gw.path("timeouts").asLong()),
                    num(bare.path("errors").asLong() + bare.path("timeouts").asLong()), base, "count",
                    c.equals("c1000") ? "0" : null, c.equals("c1000") ? met(answered && gw.path("errors").asLong() == 0
                            && gw.path("timeouts").asLong() == 0) : null);
            row(step, "server CPU per request (µs)", gw.path("serverCpuMicrosPerRequest"),
                    bare.path("serverCpuMicrosPerRequest"), base, "us", null, null);
        }
        JsonNode gw64 = cached.path("c64").path("gateway");
        double perRequest = gw64.path("requests").asLong() == 0 ? Double.NaN
                : gw64.path("upstreamCallsHyperbeam").asDouble() / gw64.path("requests").asDouble();
        row("cached reads, 64 conns", "upstream calls per request (0 = served from cache)", num(perRequest), null,
                null, "ratio", null, null);
    }

    private void uncached() {
        JsonNode uncached = steps.path("uncached");
        if (unavailable("uncached reads", uncached)) {
            return;
        }
        for (String latency : List.of("0ms", "300ms")) {
            JsonNode at = uncached.path(latency);
            if (at.isMissingNode()) {
                continue;
            }
            String step = "uncached reads, HyperBEAM " + latency.replace("ms", " ms") + ", "
                    + uncached.path("connections").asInt() + " conns";
            String base = "direct call to the node";
            JsonNode gw = at.path("gateway");
            JsonNode direct = at.path("direct");
            row(step, "p50 (ms)", gw.path("p50"), direct.path("p50"), base, "ms", null, null);
            row(step, "gateway-added p50 (ms)", at.path("addedP50Ms"), direct.path("p50"), base + " p50", "ms",
                    "≤ 2 ms", met(gw.path("requests").asLong() > 0 && at.path("addedP50Ms").asDouble() <= 2.0));
            row(step, "p99 (ms)", gw.path("p99"), direct.path("p99"), base, "ms", null, null);
            row(step, "upstream calls per request (1 = uncached)", at.path("gatewayUpstreamCallsPerRequest"), null, null,
                    "ratio", null, null);
        }
    }

    private void mix() {
        JsonNode mix = steps.path("mix");
        if (unavailable("realistic mix", mix)) {
            return;
        }
        JsonNode run = mix.path("run");
        JsonNode bare1000 = steps.path("cached").path("c1000").path("bare");
        JsonNode direct300 = steps.path("uncached").path("300ms").path("direct");
        String step = "realistic mix, 1,000 clients thinking " + mix.path("thinkMillis").asInt() + " ms, HB 300 ms, dryrun 1,200 ms";
        if (run.path("requests").asLong() == 0) {
            textRow(step, "throughput, latency, hit rate", "no answers",
                    "no request completed within the run (wrk timeout 10 s): targets NOT met");
            return;
        }
        row(step, "throughput (req/s)", run.path("rps"), bare1000.path("rps"), "bare Vert.x, 1,000 conns", "rps",
                "≥ 20,000", met(run.path("rps").asDouble() >= 20_000));
        row(step, "cache hit rate (X-Registry-Source)", mix.path("hitRate"), mix.path("idealHitRate"),
                "ideal (only first sight of a key misses)", "ratio", "≥ 95 %", met(mix.path("hitRate").asDouble() >= 0.95));
        row(step, "p50 (ms)", latency(run, "p50"), direct300.path("p50"), "direct node call p50 at 300 ms", "ms", "≤ 5 ms",
                met(!noAnswers(run) && run.path("p50").asDouble() <= 5));
        row(step, "p95 (ms)", latency(run, "p95"), direct300.path("p50"), "direct node call p50 at 300 ms", "ms", null, null);
        row(step, "p99 (ms)", latency(run, "p99"), direct300.path("p50"), "direct node call p50 at 300 ms", "ms",
                "≤ 350 ms", met(!noAnswers(run) && run.path("p99").asDouble() <= 350));
        row(step, "errors (non-2xx + socket)", run.path("errors"), run.path("requests"), "answers", "count", null, null);
        row(step, "timeouts (> 10 s)", run.path("timeouts"), run.path("requests"), "answers", "count", null, null);
        pinned(step + " (warm-up, measured, without think time)", mix);
        JsonNode saturated = mix.path("withoutThinkTime");
        if (!saturated.isMissingNode()) {
            String without = "realistic mix, the same 1,000 clients without think time";
            row(without, "throughput (req/s)", saturated.path("rps"), bare1000.path("rps"), "bare Vert.x, 1,000 conns",
                    "rps", null, null);
            row(without, "p50 (ms)", latency(saturated, "p50"), direct300.path("p50"), "direct node call p50 at 300 ms",
                    "ms", null, null);
            row(without, "p99 (ms)", latency(saturated, "p99"), direct300.path("p50"), "direct node call p50 at 300 ms",
                    "ms", null, null);
        }
    }

    private void failover() {
        JsonNode failover = steps.path("failover");
        if (unavailable("failover", failover)) {
            return;
        }
        JsonNode mixRun = steps.path("mix").path("run");
        JsonNode uncached300 = steps.path("uncached").path("300ms").path("gateway");
        for (String phase : List.of("outage", "recovery0to10s", "recovery10to20s")) {
            JsonNode at = failover.path(phase);
            String name = switch (phase) {
                case "outage" -> "failover: HyperBEAM refused for " + failover.path("outageSeconds").asInt() + " s";
                case "recovery0to10s" -> "failover: 0–10 s after recovery";
                default -> "failover: 10–20 s after recovery";
            };
            JsonNode cachedKeys = at.path("cachedKeys");
            JsonNode uncachedKeys = at.path("uncachedKeys");
            boolean outage = phase.equals("outage");
            if (cachedKeys.path("run").path("requests").asLong() == 0 && uncachedKeys.path("run").path("requests").asLong() == 0) {
                textRow(name, "everything", "no answers",
                        "no request completed within the window (wrk timeout 10 s)" + (outage ? ": targets NOT met" : ""));
                continue;
            }
            row(name, "mix (cached keys): 5xx", cachedKeys.path("serverErrors"), null, null, "count",
                    "0", met(cachedKeys.path("run").path("requests").asLong() > 0
                            && cachedKeys.path("serverErrors").asLong() == 0));
            row(name, "mix (cached keys): error rate", cachedKeys.path("errorRate"),
                    num(mixRun.path("errors").asDouble() / Math.max(1, mixRun.path("requests").asDouble())),
                    "mix error rate before the outage", "ratio", null, null);
            row(name, "mix (cached keys): throughput (req/s)", cachedKeys.path("run").path("rps"), mixRun.path("rps"),
                    "mix before the outage", "rps", null, null);
            row(name, "mix (cached keys): p99 (ms)", latency(cachedKeys.path("run"), "p99"), latency(mixRun, "p99"),
                    "mix before the outage", "ms", null, null);
            row(name, "uncached keys (" + failover.path("uncachedConnections").asInt() + " conns): p99 (ms)",
                    latency(uncachedKeys.path("run"), "p99"), uncached300.path("p99"), "uncached p99, HB 300 ms, no outage",
                    "ms", outage ? "≤ 1,500 ms" : null,
                    outage ? met(!noAnswers(uncachedKeys.path("run"))
                            && uncachedKeys.path("run").path("p99").asDouble() <= 1500) : null);
            row(name, "uncached keys: error rate", uncachedKeys.path("errorRate"), null, null, "ratio", null, null);
            if (outage && failover.has("dryrunsDuringOutage")) {
                long limit = failover.path("computeUnitLimitPerMinute").asLong();
                long minutes = Math.max(1, (long) Math.ceil(failover.path("outageSeconds").asDouble() / 60));
                row(name, "dry-runs sent to the compute unit", failover.path("dryrunsDuringOutage"),
                        failover.path("computeUnitLimitPerMinute"), "its per-address limit a minute", "count",
                        limit == 0 ? null : "≤ " + limit + " a minute",
                        limit == 0 ? null : met(failover.path("dryrunsDuringOutage").asLong() <= limit * minutes));
                textRow(name, "uncached keys: answers by status", uncachedKeys.path("statuses").toString(),
                        "503s carry Retry-After: no dry-run left for them");
            }
            row(name, "timeouts (> 10 s), cached + uncached keys", num(cachedKeys.path("timeouts").asLong()
                    + uncachedKeys.path("timeouts").asLong()), null, null, "count", null, null);
        }
        pinned("failover (outage and recovery)", failover);
    }

    // JFR's jdk.VirtualThreadPinned in the gateway during the step: a read waiting on the network
    // must not hold its carrier (issue 27)
    private void pinned(String step, JsonNode result) {
        JsonNode pinned = result.path("pinnedVirtualThreads");
        if (pinned.isMissingNode()) {
            return;
        }
        if (pinned.has("failed") || pinned.has("skipped")) {
            textRow(step, "virtual threads pinned (JFR)", "not recorded",
                    pinned.has("failed") ? pinned.path("failed").asText() : pinned.path("skipped").asText());
            return;
        }
        row(step, "virtual threads pinned (JFR jdk.VirtualThreadPinned)", pinned.path("events"), null, null, "count", "0",
                met(pinned.path("events").asLong() == 0));
        if (pinned.path("events").asLong() > 0) {
            textRow(step, "pinned where", pinned.path("byFirstFrameOutsideJdk").toString(), pinned.path("byReason").toString());
        }
    }

    private void downloads() {
        JsonNode events = steps.path("downloadEvents");
        String step = "download events (POST, 64 conns)";
        if (events.path("available").asBoolean()) {
            JsonNode bare64 = steps.path("cached").path("c64").path("bare");
            row(step, "accepted/s (202)", events.path("acceptedPerSecond"), bare64.path("rps"),
                    "bare Vert.x GET, 64 conns", "rps", null, null);
            row(step, "POST p99 (ms)", events.path("run").path("p99"), bare64.path("p99"), "bare Vert.x GET, 64 conns",
                    "ms", null, null);
            row(step, "forwarder lag, max during load (events)", events.path("maxLagEvents"), events.path("accepted"),
                    "events accepted", "count", null, null);
            row(step, "forwarder lag, drain after load (ms; -1 = not drained in 30 s)",
                    events.path("drainMillisAfterLoad"), null, null, "ms", null, null);
            row(step, "forwarder delivered/s after the load", events.path("forwarderDeliveredPerSecondAfterLoad"),
                    events.path("forwarderCapacityPerSecond"), "its bound: deliveries at once / HyperBEAM latency",
                    "rps", null, null);
            pinned(step, events);
        } else {
            String why = events.has("skipped") ? events.path("skipped").asText()
                    : events.has("failed") ? "failed: " + events.path("failed").asText()
                    : events.path("reason").asText("not run");
            textRow(step, "accepted/s, forwarder lag", "not available", why);
        }
        JsonNode script = steps.path("downloadEventsScript");
        if (script.has("skipped")) {
            textRow("bench/download-events", "accepted/s, lag p99", "not in this run", script.path("skipped").asText());
        } else if (script.path("present").asBoolean()) {
            textRow("bench/download-events", "exit code", script.path("exitCode").asText(),
                    script.path("timedOut").asBoolean() ? "timed out" : "output in the JSON (steps.downloadEventsScript)");
        }
    }

    private void startupAndMemory() {
        JsonNode startup = steps.path("startup");
        if (!unavailable("start-up", startup)) {
            row("start-up (JVM start to first 200, median of " + startup.path("gatewayMillis").size() + ")", "ms",
                    startup.path("gatewayMedianMillis"), startup.path("bareMedianMillis"), "bare Vert.x JVM", "ms",
                    "≤ 3,000 ms", met(startup.path("gatewayMedianMillis").asDouble() <= 3000));
            if (startup.has("gatewayWithoutAppCdsMedianMillis")) {
                row("start-up without the gateway's class-data archive (median of "
                        + startup.path("gatewayWithoutAppCdsMillis").size() + ")", "ms",
                        startup.path("gatewayWithoutAppCdsMedianMillis"), startup.path("bareMedianMillis"),
                        "bare Vert.x JVM", "ms", null, null);
            }
        }
        JsonNode memory = steps.path("memory");
        if (!unavailable("memory", memory)) {
            double gatewayMb = memory.path("gatewayRssMiB").asDouble() * MIB_TO_MB;
            // -1: the gateway's process was gone by then (it exited, e.g. out of heap)
            row("RSS after the load runs", "MB", num(gatewayMb), num(memory.path("bareRssMiB").asDouble() * MIB_TO_MB),
                    "bare Vert.x JVM after its load", "mb", "≤ 300 MB",
                    memory.path("afterLoad").asBoolean() ? met(gatewayMb >= 0 && gatewayMb <= 300) : null);
            JsonNode next = memory.path("gatewayRssNextSecondsMiB");
            if (next.has("min")) {
                textRow("RSS over the next " + next.path("seconds").asInt() + " s", "MB",
                        String.format(Locale.ROOT, "%.0f–%.0f", next.path("min").asDouble() * MIB_TO_MB,
                                next.path("max").asDouble() * MIB_TO_MB),
                        String.format(Locale.ROOT, "lowest–highest, %.0f at the end: the reading above is of one moment (the "
                                + "forwarder still delivers the events accepted, the JIT compiles, malloc gives memory back)",
                                next.path("last").asDouble() * MIB_TO_MB));
            }
            if (memory.has("gatewayThreads")) {
                row("live threads after the load runs", "count", memory.path("gatewayThreads"), memory.path("bareThreads"),
                        "bare Vert.x JVM after its load", "count", null, null);
            }
        }
    }

    private boolean unavailable(String step, JsonNode result) {
        if (result.isMissingNode()) {
            textRow(step, "—", "not run", "");
            return true;
        }
        if (result.has("skipped") || result.has("failed")) {
            textRow(step, "—", result.has("skipped") ? "skipped" : "failed",
                    result.has("skipped") ? result.path("skipped").asText() : result.path("failed").asText());
            return true;
        }
        return false;
    }

    private static JsonNode num(double value) {
        return PerformanceSuite.JSON.getNodeFactory().numberNode(ProcStats.round(value));
    }

    private static Boolean met(boolean value) {
        return value;
    }

    private static double ratio(JsonNode value, JsonNode baseline) {
        if (value == null || baseline == null || value.isMissingNode() || baseline.isMissingNode()) {
            return Double.NaN;
        }
        double b = baseline.asDouble();
        return b == 0 ? Double.NaN : value.asDouble() / b;
    }

    /** A run none of whose answers came within wrk's timeout: no latency, no throughput to speak of. */
    private static boolean noAnswers(JsonNode run) {
        return run.has("latencySamples") && run.path("latencySamples").asLong() == 0;
    }

    /** A latency figure, or nothing when the run has no answer within wrk's timeout. */
    private static JsonNode latency(JsonNode run, String field) {
        return noAnswers(run) ? null : run.path(field);
    }

    private void row(String step, String measure, JsonNode value, JsonNode baseline, String baselineName, String unit,
            String target, Boolean met) {
        ObjectNode row = rows.addObject();
        row.put("step", step);
        row.put("measure", measure);
        row.put("unit", unit);
        row.set("gateway", value == null || value.isMissingNode() ? null : value);
        if (baseline != null && !baseline.isMissingNode()) {
            row.set("baseline", baseline);
            row.put("baselineName", baselineName);
            double ratio = ratio(value, baseline);
            if (!Double.isNaN(ratio) && !Double.isInfinite(ratio)) {
                row.put("ratio", ProcStats.round(ratio));
            }
        }
        if (target != null) {
            row.put("target", target);
            row.put("met", met);
        }
    }

    private void textRow(String step, String measure, String value, String note) {
        ObjectNode row = rows.addObject();
        row.put("step", step);
        row.put("measure", measure);
        row.put("text", value);
        row.put("note", note);
    }

    // --- rendering ----------------------------------------------------------------------------

    private static String format(JsonNode value, String unit) {
        if (value == null || value.isNull() || value.isMissingNode()) {
            return "—";
        }
        double v = value.asDouble();
        if (Double.isNaN(v)) {
            return "n/a";
        }
        return switch (unit) {
            case "rps", "count" -> String.format(Locale.ROOT, "%,.0f", v);
            case "ms" -> v >= 100 ? String.format(Locale.ROOT, "%,.0f", v) : String.format(Locale.ROOT, "%.2f", v);
            case "us" -> String.format(Locale.ROOT, "%,.0f", v);
            case "mb" -> String.format(Locale.ROOT, "%,.0f", v);
            case "ratio" -> String.format(Locale.ROOT, "%.3f", v);
            default -> value.asText();
        };
    }

    private static String[] cells(JsonNode row) {
        if (row.has("text")) {
            return new String[] {row.path("step").asText(), row.path("measure").asText(), row.path("text").asText(),
                    row.path("note").asText(), "", "", ""};
        }
        String unit = row.path("unit").asText();
        String baseline = row.has("baseline") ? format(row.get("baseline"), unit) + " (" + row.path("baselineName").asText()
                + ")" : "—";
        String ratio = row.has("ratio") ? String.format(Locale.ROOT, "%.2f×", row.path("ratio").asDouble()) : "—";
        String met = !row.has("target") ? "" : row.path("met").isNull() ? "not judged"
                : row.path("met").asBoolean() ? "met" : "NOT met";
        return new String[] {row.path("step").asText(), row.path("measure").asText(), format(row.get("gateway"), unit),
                baseline, ratio, row.path("target").asText(""), met};
    }

    private static final String[] HEADER = {"step", "measure", "gateway", "baseline (same run)", "ratio", "target", "met?"};

    String console() {
        List<String[]> table = new ArrayList<>();
        table.add(HEADER);
        rows.forEach(row -> table.add(cells(row)));
        int[] widths = new int[HEADER.length];
        for (String[] line : table) {
            for (int i = 0; i < line.length; i++) {
                widths[i] = Math.max(widths[i], Math.min(line[i].length(), i == 3 ? 48 : 60));
            }
        }
        StringBuilder out = new StringBuilder(header()).append('\n');
        String previousStep = "";
        for (String[] line : table) {
            String step = line[0].equals(previousStep) ? "" : line[0];
            if (!step.isEmpty() && line != table.get(0)) {
                out.append('\n');
            }
            previousStep = line[0];
            for (int i = 0; i < line.length; i++) {
                String cell = i == 0 ? step : line[i];
                if (cell.length() > widths[i]) {
                    cell = cell.substring(0, widths[i] - 1) + "…";
                }
                out.append(String.format(Locale.ROOT, i == 2 || i == 4 ? "%" + widths[i] + "s" : "%-" + widths[i] + "s",
                        cell));
                out.append(i == line.length - 1 ? "\n" : "  ");
            }
        }
        return out.toString();
    }

    /** Mean cores used by processes outside the suite during the load runs. */
    private double otherLoad() {
        double sum = 0;
        int n = 0;
        for (JsonNode run : report.path("runs")) {
            if (run.at("/cpuCores/other").isNumber()) {
                sum += run.at("/cpuCores/other").asDouble();
                n++;
            }
        }
        return n == 0 ? Double.NaN : sum / n;
    }

    private String header() {
        JsonNode machine = report.path("machine");
        return String.format(Locale.ROOT, "Permamind registry gateway, performance suite — %s%n"
                        + "machine: %d cores (%s), %d GiB, %s; %s; load average %s → %s%n"
                        + "other processes (not the suite) used %.2f of %d cores on average during the load runs%n"
                        + "commit %s%s on %s; JVM options for gateway and bare Vert.x: %s%s",
                report.path("date").asText(), machine.path("cores").asInt(), machine.path("cpu").asText(),
                machine.path("memoryGiB").asInt(), machine.path("os").asText(), machine.path("jdk").asText(),
                machine.path("loadAverageStart").asText(), machine.path("loadAverageEnd").asText(),
                otherLoad(), machine.path("cores").asInt(), report.at("/git/commit").asText(), report.at("/git/dirty").asBoolean() ? " (uncommitted changes)" : "",
                report.at("/git/branch").asText(),
                jvmOptions(report.path("settings")),
                report.at("/settings/quick").asBoolean() ? "\nQUICK MODE: short runs, for checking the suite only" : "");
    }

    // the shipped options (ops/jvm/gateway.options) and BENCH_JAVA_OPTS after them; older runs had only the latter
    private static String jvmOptions(JsonNode settings) {
        String shipped = settings.path("shippedJavaOptions").asText();
        String extra = settings.path("javaOptions").asText();
        if (shipped.isEmpty()) {
            return extra.isEmpty() ? "(JVM defaults)" : extra;
        }
        return "ops/jvm/gateway.options (" + shipped + ")" + (extra.isEmpty() ? "" : " + BENCH_JAVA_OPTS " + extra)
                + (settings.path("gatewayCdsArchive").asBoolean() ? "; gateway with its class-data archive" : "")
                + (settings.path("gatewayEnvironment").asText().isEmpty() ? ""
                        : "; gateway settings from the environment: " + settings.path("gatewayEnvironment").asText());
    }

    String markdown() {
        StringBuilder md = new StringBuilder("# Gateway performance suite: results\n\n");
        md.append(header().replace("\n", "  \n")).append("\n\n");
        md.append("Every figure is next to a baseline measured in the same run on the same machine; the machine is ")
                .append("shared, so compare ratios, not absolute numbers, between runs. How each step measures: ")
                .append("bench/README.md.\n\n");
        md.append("| ").append(String.join(" | ", HEADER)).append(" |\n");
        md.append("|---|---|---:|---|---:|---|---|\n");
        rows.forEach(row -> md.append("| ").append(String.join(" | ",
                List.of(cells(row)).stream().map(c -> c.replace("|", "\\|")).toList())).append(" |\n"));
        md.append("\n## Every load run\n\n");
        md.append("CPU in cores used during the run (2 = the whole machine): the server under test, wrk, this harness ")
                .append("JVM (simulator, broker) and everything else on the machine (other developers).\n\n");
        md.append("| run | conns | req/s | p50 ms | p99 ms | max ms | errors | timeouts | sources | server | wrk | harness | other |\n");
        md.append("|---|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|\n");
        for (JsonNode run : report.path("runs")) {
            JsonNode cpu = run.path("cpuCores");
            md.append(String.format(Locale.ROOT, "| %s | %d | %,.0f | %.2f | %.2f | %.0f | %d | %d | %s | %.2f | %.2f | %.2f | %.2f |%n",
                    run.path("label").asText(), run.path("connections").asInt(), run.path("rps").asDouble(),
                    run.at("/latencyMs/p50").asDouble(), run.at("/latencyMs/p99").asDouble(),
                    run.at("/latencyMs/max").asDouble(), Wrk.allErrors(run), Wrk.timeouts(run), sources(run),
                    cpu.path("server").asDouble(), cpu.path("wrk-1").asDouble() + cpu.path("wrk-2").asDouble(),
                    cpu.path("harness").asDouble(), cpu.path("other").asDouble()));
        }
        if (report.path("notes").size() > 0) {
            md.append("\n## Notes\n\n");
            report.path("notes").forEach(note -> md.append("- ").append(note.asText()).append('\n'));
        }
        JsonNode script = steps.path("downloadEventsScript");
        if (script.has("output")) {
            md.append("\n## bench/download-events (last 40 lines)\n\n```\n").append(script.path("output").asText())
                    .append("\n```\n");
        }
        return md.toString();
    }

    private static String sources(JsonNode run) {
        List<String> parts = new ArrayList<>();
        run.path("sources").properties().forEach(e -> parts.add(e.getKey() + " " + e.getValue().asLong()));
        run.path("statuses").properties().forEach(e -> {
            if (!e.getKey().equals("200")) {
                parts.add("HTTP " + e.getKey() + " " + e.getValue().asLong());
            }
        });
        return String.join(", ", parts);
    }
}

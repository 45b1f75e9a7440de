package com.permamind.gateway.upstream;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.filter.FilteringParserDelegate;
import com.fasterxml.jackson.core.filter.TokenFilter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Scheduler;
import com.permamind.gateway.JsonMappers;
import com.permamind.gateway.lua.RegistryModule;
import com.permamind.gateway.lua.RegistryState;
import com.permamind.gateway.query.RegistryRequest;
import com.permamind.gateway.upstream.ComputeUnitClient.Reply;
import com.permamind.gateway.upstream.DryrunBudget.Priority;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tier 2, the circuit breaker's fallback: asks the registry process by dryrun, rebuilds the part
 * of the {@code Skills} state the replies hold, and runs the same Lua module over it locally, so
 * order, pagination and shape are exactly those of a HyperBEAM answer.
 *
 * <p>A compute unit answers one client address at most a few dry-runs a minute (contract section
 * 5), so the reader spends a {@link DryrunBudget}:
 * <ul>
 *   <li>one {@code Search-Skills} with an empty query (the latest record of every skill, in one reply)
 *       is the snapshot that serves every search, list page and latest-skill read, and tells which
 *       skills do not exist, for {@code ao.snapshot-reuse-seconds};</li>
 *   <li>one {@code Get-Download-Stats} for the whole registry serves {@code /api/info} and the
 *       registry's download stats (the only figures taken as the process computes them);</li>
 *   <li>a version, a version list or a skill's stats spend what is left, one dry-run per record they
 *       lack, all or none; records and version lists are kept as long as the snapshot.</li>
 * </ul>
 * A read that finds no dry-run left is refused at once (stale, else 503 with the budget's wait).
 */
public class DryrunReader {

    public static final String SOURCE = ComputeUnitClient.SOURCE;
    private static final Logger LOG = LoggerFactory.getLogger(DryrunReader.class);
    private static final String SNAPSHOT = "snapshot";
    private static final String TOTALS = "totals";
    private static final TokenFilter WITHOUT_TIMESTAMPS = new TokenFilter() {
        @Override
        public TokenFilter includeProperty(String name) {
            return "downloadTimestamps".equals(name) ? null : this;
        }
    };

    private final ComputeUnitClient computeUnit;
    private final RegistryModule module;
    private final boolean enabled;
    private final UpstreamTiming timing;
    private final CircuitBreaker breaker;
    private final DryrunBudget budget;
    private final Predicate<RegistryRequest> hasStaleAnswer;
    private final ObjectMapper json = JsonMappers.mapper();
    // the snapshot and the registry's totals: one load each, however many read them meanwhile
    private final Cache<String, Object> shared;
    private final Cache<SkillVersion, JsonNode> records;
    private final Cache<String, Reply> versionLists;
    // as if last answered long ago (nanoTime values compare only by difference)
    private volatile boolean lastFailed;
    private volatile long lastAnsweredAt = System.nanoTime() - TimeUnit.MINUTES.toNanos(2);

    /**
     * @param breaker        keeps reads off a compute unit that keeps failing or asked to be left alone
     * @param budget         the dry-runs the compute unit allows this gateway
     * @param hasStaleAnswer whether the response cache could answer this read if the dryrun cannot:
     *                       such reads leave the budget's last dry-runs to those that could not
     * @param reuse          how long the snapshot, the totals, records and version lists serve reads
     *                       (at least the compute unit's own 60 s cache of identical dry-runs)
     */
    public DryrunReader(ComputeUnitClient computeUnit, RegistryModule module, boolean enabled, UpstreamTiming timing,
            CircuitBreaker breaker, DryrunBudget budget, Predicate<RegistryRequest> hasStaleAnswer, Duration reuse) {
        this.computeUnit = computeUnit;
        this.module = module;
        this.enabled = enabled;
        this.timing = timing;
        this.breaker = breaker;
        this.budget = budget;
        this.hasStaleAnswer = hasStaleAnswer;
        this.shared = reusedFor(reuse).build();
        this.records = reusedFor(reuse).maximumSize(20_000).build();
        this.versionLists = reusedFor(reuse).maximumSize(5_000).build();
    }

    // Dropped when their reuse ends, not at the next dry-run read: the snapshot (megabytes of Lua
    // tables for 5,000 skills) would otherwise stay in the heap from one outage to the next.
    private static Caffeine<Object, Object> reusedFor(Duration reuse) {
        return Caffeine.newBuilder().expireAfterWrite(reuse).scheduler(Scheduler.systemScheduler());
    }

    public String read(Exchange exchange, @ExchangeProperty("registryRequest") RegistryRequest request) {
        if (!enabled) {
            throw new UpstreamException(SOURCE, "the dryrun fallback is disabled (ao.dryrun-enabled)");
        }
        if (!breaker.tryAcquirePermission()) {
            throw new NoDryrun("the compute unit failed too often or asked to be left alone; not asked again yet",
                    budget.secondsUntilFree(Priority.SHARED));
        }
        long start = System.nanoTime();
        boolean counted = false;
        try {
            // a refresh has its answer still held, so it counts as a read with a stale answer too
            Priority priority = hasStaleAnswer.test(request) ? Priority.ANSWERED_STALE : Priority.UNANSWERED;
            String answer = answer(request, priority);
            breaker.onSuccess(System.nanoTime() - start, TimeUnit.NANOSECONDS);
            counted = true;
            answered(true);
            timing.answered(exchange, SOURCE, start);
            return answer;
        } catch (NoDryrun e) {
            // the gateway kept the read from the compute unit: nothing to count against it
            timing.failed(SOURCE, start);
            throw e;
        } catch (ComputeUnitRefusal e) {
            LOG.warn("the compute unit refused a dry-run ({}): none sent for {} s", e.detail(), e.retryAfter().toSeconds());
            budget.holdOff(e.retryAfter());
            breaker.transitionToOpenStateFor(e.retryAfter());
            counted = true;
            answered(false);
            timing.failed(SOURCE, start);
            throw e;
        } catch (UpstreamException e) {
            breaker.onError(System.nanoTime() - start, TimeUnit.NANOSECONDS, e);
            counted = true;
            answered(false);
            timing.failed(SOURCE, start);
            throw e;
        } finally {
            // any other exit (a bug of ours, an interrupt) must not keep a half-open breaker's permit for ever
            if (!counted) {
                breaker.releasePermission();
            }
        }
    }

    private String answer(RegistryRequest request, Priority priority) {
        String name = request.param("name");
        return switch (request.function()) {
            case "info" -> totals(request, true);
            case "get-download-stats" -> request.param("scope") != null ? totals(request, false)
                    : perSkill(request, () -> versions(name, request.param("version"), priority));
            case "search-skills", "list-skills" -> module.call(request.function(), snapshot(Priority.SHARED).state(),
                    request.params());
            case "get-skill", "record-download" -> getSkill(request, priority);
            case "get-skill-versions" -> perSkill(request, () -> versions(name, null, priority));
            default -> throw new IllegalArgumentException("no dryrun mapping for " + request.function());
        };
    }

    /** The latest version from the snapshot; another version by a dry-run of its own. */
    private String getSkill(RegistryRequest request, Priority priority) {
        String version = request.param("version");
        Optional<Snapshot> snapshot = snapshotIfAffordable();
        if (snapshot.isPresent() && snapshot.get().answers(request.param("name"), version)) {
            return module.call(request.function(), snapshot.get().state(), request.params());
        }
        return perSkill(request, () -> versions(request.param("name"), version == null ? "" : version, priority));
    }

    // A skill the snapshot lacks does not exist (the module says so, as a node would); others are read.
    private String perSkill(RegistryRequest request, Supplier<ObjectNode> records) {
        Optional<Snapshot> snapshot = snapshotIfAffordable();
        if (snapshot.isPresent() && !snapshot.get().has(request.param("name"))) {
            return module.call(request.function(), snapshot.get().state(), request.params());
        }
        return module.call(request.function(), module.decode(records.get().toString()), request.params());
    }

    /**
     * Whether the compute unit evaluates the process: for readiness, without spending what reads need.
     * Within a budget, a dry-run that answered in the last minute, or no dry-run to spare, stands for
     * one; without a budget (a compute unit of your own) it is asked every time.
     */
    public boolean probe() {
        if (!enabled || breaker.getState() == CircuitBreaker.State.OPEN) {
            return false;
        }
        if (budget.perMinute() > 0 && !lastFailed && System.nanoTime() - lastAnsweredAt < TimeUnit.MINUTES.toNanos(1)) {
            return true;
        }
        if (!budget.tryTake(1, Priority.ANSWERED_STALE)) {
            return !lastFailed;
        }
        try {
            boolean up = "Info-Response".equals(computeUnit.send("Info", Map.of()).action());
            answered(up);
            return up;
        } catch (ComputeUnitRefusal e) {
            budget.holdOff(e.retryAfter());
            answered(false);
            return false;
        } catch (UpstreamException e) {
            answered(false);
            return false;
        }
    }

    private void answered(boolean up) {
        lastFailed = !up;
        if (up) {
            lastAnsweredAt = System.nanoTime();
        }
    }

    /** Dry-runs sent in the last minute, against {@code ao.dryruns-per-minute}. */
    public DryrunBudget budget() {
        return budget;
    }

    private Snapshot snapshot(Priority priority) {
        return (Snapshot) shared.get(SNAPSHOT, key -> {
            spend(1, priority, "the registry snapshot");
            Reply reply = expect(computeUnit.send("Search-Skills", Map.of("Query", "")), "Search-Results");
            // record by record into the module's tables: a tree and a JSON text of every skill were,
            // after the answer itself, the largest objects of an outage's first second (docs/java25.md)
            RegistryModule.StateBuilder state = module.stateBuilder();
            Map<String, String> latest = new LinkedHashMap<>();
            try (JsonParser records = withoutTimestamps(reply)) {
                JsonToken list = records.nextToken();
                if (list == JsonToken.START_ARRAY) {
                    while (records.nextToken() != JsonToken.END_ARRAY) {
                        JsonNode record = json.readTree(records);
                        String name = record.path("name").asText();
                        String version = record.path("version").asText();
                        state.put(name, json.treeAsTokens(oneVersion(record, version)));
                        latest.put(name, version);
                    }
                } else if (list != null) {
                    throw new UpstreamException(SOURCE, "Search-Results data is not a list of records");
                }
            } catch (IOException e) {
                throw new UpstreamException(SOURCE, "Search-Results data is not JSON");
            }
            LOG.info("registry snapshot by dryrun: {} skills", latest.size());
            return new Snapshot(state.build(), latest);
        });
    }

    // Per-skill reads use the snapshot when they can have it, and go without when the budget cannot load
    // it. Within a budget, loading it is worth a dry-run (it answers every unknown name with no more);
    // without one, a read does not wait for a load it does not need.
    private Optional<Snapshot> snapshotIfAffordable() {
        if (budget.perMinute() == 0) {
            return Optional.ofNullable((Snapshot) shared.getIfPresent(SNAPSHOT));
        }
        try {
            return Optional.of(snapshot(Priority.SHARED));
        } catch (NoDryrun e) {
            return Optional.empty();
        }
    }

    // info and the aggregate stats are what the process computes (contract section 5); one
    // answer for every range serves them all
    private String totals(RegistryRequest request, boolean forInfo) {
        JsonNode stats = (JsonNode) shared.get(TOTALS, key -> {
            spend(1, Priority.SHARED, "the registry's download totals");
            Map<String, String> tags = new LinkedHashMap<>();
            tags.put("Scope", "all");
            tags.put("TimeRange", "all");
            return data(expect(computeUnit.send("Get-Download-Stats", tags), "Download-Stats"));
        });
        String range = forInfo ? "all" : request.param("timerange");
        ObjectNode data = json.createObjectNode();
        data.set("totalSkills", stats.get("totalSkills"));
        if (forInfo) {
            data.set("totalDownloads", stats.get("downloadsTotal"));
        } else {
            data.set("downloadsTotal", stats.get("downloadsTotal"));
            if (!range.equals("30")) {
                data.set("downloads7Days", stats.get("downloads7Days"));
            }
            if (!range.equals("7")) {
                data.set("downloads30Days", stats.get("downloads30Days"));
            }
        }
        ObjectNode answer = json.createObjectNode().put("ok", true);
        answer.set("data", data);
        return answer.toString();
    }

    /**
     * One skill with the versions a query needs: the one asked for ({@code ""} = the latest), or with
     * {@code version == null} every version, each record whole (download stats need its timestamps).
     */
    private ObjectNode versions(String name, String version, Priority priority) {
        ObjectNode skills = json.createObjectNode();
        if (version != null) {
            Map<String, String> tags = new LinkedHashMap<>();
            tags.put("Name", name);
            if (!version.isEmpty()) {
                tags.put("Version", version);
            }
            SkillVersion key = new SkillVersion(name, version);
            JsonNode record = records.getIfPresent(key);
            if (record == null) {
                spend(1, priority, "skill " + name);
                Reply reply = computeUnit.send("Get-Skill", tags);
                if (reply.isError()) {
                    return missing(skills, name, reply);
                }
                record = data(expect(reply, "Skill-Found"));
                records.put(key, record);
            }
            skills.set(name, oneVersion(record, record.path("version").asText(version)));
            return skills;
        }
        Reply listing = versionLists.getIfPresent(name);
        if (listing == null) {
            spend(1, priority, "the versions of " + name);
            listing = computeUnit.send("Get-Skill-Versions", Map.of("Name", name));
            if (listing.isError()) {
                return missing(skills, name, listing);
            }
            versionLists.put(name, listing);
        }
        JsonNode versions = data(expect(listing, "Skill-Versions"));
        String latest = versions.path("latest").asText();
        Map<String, JsonNode> byVersion = new LinkedHashMap<>();
        List<String> lacking = new ArrayList<>();
        for (JsonNode listed : versions.path("versions")) {
            String each = listed.asText();
            JsonNode record = records.getIfPresent(new SkillVersion(name, each));
            if (record == null) {
                lacking.add(each);
            }
            byVersion.put(each, record);
        }
        spend(lacking.size(), priority, lacking.size() + " versions of " + name);
        List<CompletableFuture<Reply>> pending = new ArrayList<>();
        for (String each : lacking) {
            pending.add(computeUnit.sendAsync("Get-Skill", Map.of("Name", name, "Version", each)));
        }
        for (int i = 0; i < lacking.size(); i++) {
            JsonNode record = data(expect(join(pending.get(i)), "Skill-Found"));
            records.put(new SkillVersion(name, lacking.get(i)), record);
            byVersion.put(lacking.get(i), record);
        }
        ObjectNode entry = skills.putObject(name);
        entry.put("latest", latest);
        ObjectNode recordsByVersion = entry.putObject("versions");
        byVersion.forEach(recordsByVersion::set);
        return skills;
    }

    private void spend(int dryruns, Priority priority, String what) {
        if (!budget.tryTake(dryruns, priority)) {
            throw new NoDryrun("no dry-run left this minute for " + what + " (ao.dryruns-per-minute "
                    + budget.perMinute() + ")", budget.secondsUntilFree(priority));
        }
    }

    // The process says "not found" in words; the module says it again in its own.
    private ObjectNode missing(ObjectNode skills, String name, Reply reply) {
        String error = reply.error() == null ? "" : reply.error();
        if (!error.contains("not found")) {
            throw new UpstreamException(SOURCE, "the process answered: " + error);
        }
        if (error.contains("version") || error.contains("Version")) {
            skills.putObject(name).putObject("versions");
        }
        return skills;
    }

    private static Reply join(CompletableFuture<Reply> pending) {
        try {
            return pending.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof UpstreamException failure ? failure
                    : new UpstreamException(SOURCE, HyperbeamReader.describe(e.getCause()));
        }
    }

    /** A skill of the module's state known by one record, which is its latest: {@code {latest, versions}}. */
    private ObjectNode oneVersion(JsonNode record, String version) {
        ObjectNode skill = json.createObjectNode().put("latest", version);
        skill.putObject("versions").set(version, record);
        return skill;
    }

    private static Reply expect(Reply reply, String action) {
        if (!action.equals(reply.action())) {
            throw new UpstreamException(SOURCE, "expected a " + action + " reply, got "
                    + (reply.action() == null ? "none" : reply.action() + (reply.error() != null ? ": " + reply.error() : "")));
        }
        return reply;
    }

    /**
     * The snapshot's records without their download timestamps, the bulk of a record: no answer it
     * serves shows them, and downloadCount holds their number (contract sections 1 and 2).
     */
    private JsonParser withoutTimestamps(Reply reply) throws IOException {
        JsonParser data = reply.hasData() ? json.createParser(reply.dataStream()) : json.createParser("[]");
        return new FilteringParserDelegate(data, WITHOUT_TIMESTAMPS, TokenFilter.Inclusion.INCLUDE_ALL_AND_PATH, true);
    }

    private JsonNode data(Reply reply) {
        try {
            return reply.hasData() ? json.readTree(reply.dataStream()) : NullNode.instance;
        } catch (IOException e) {
            throw new UpstreamException(SOURCE, reply.action() + " data is not JSON");
        }
    }

    private record SkillVersion(String name, String version) {
    }

    /** Every skill's latest record, decoded once for the module, and which version is each skill's latest. */
    private record Snapshot(RegistryState state, Map<String, String> latest) {

        boolean has(String name) {
            return latest.containsKey(name);
        }

        /** An unknown skill (the module answers 404), or the latest version of a known one. */
        boolean answers(String name, String version) {
            return !has(name) || version == null || version.equals(latest.get(name));
        }
    }

    /** The gateway kept a read from the compute unit (no dry-run left, or the unit asked for a pause). */
    static final class NoDryrun extends UpstreamException {

        private final long retryAfterSeconds;

        NoDryrun(String detail, long retryAfterSeconds) {
            super(SOURCE, detail);
            this.retryAfterSeconds = retryAfterSeconds;
        }

        @Override
        public OptionalLong retryAfterSeconds() {
            return OptionalLong.of(retryAfterSeconds);
        }
    }
}

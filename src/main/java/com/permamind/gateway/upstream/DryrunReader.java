package com.permamind.gateway.upstream;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.filter.FilteringParserDelegate;
import com.fasterxml.jackson.core.filter.TokenFilter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.permamind.gateway.lua.RegistryModule;
import com.permamind.gateway.lua.RegistryState;
import com.permamind.gateway.query.RegistryRequest;
import com.permamind.gateway.upstream.ComputeUnitClient.Reply;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;

/**
 * Tier 2, the circuit breaker's fallback: asks the registry process by dryrun, rebuilds the part
 * of the {@code Skills} state the replies hold, and runs the same Lua module over it locally, so
 * order, pagination and shape are exactly those of a HyperBEAM answer. The aggregate totals are
 * the only figures taken as the process computes them.
 */
public class DryrunReader {

    public static final String SOURCE = ComputeUnitClient.SOURCE;
    /** List-Skills pages at most this many records. */
    private static final int PROCESS_PAGE = 100;
    private static final int MAX_PAGES = 1000;
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
    private final ObjectMapper json = new ObjectMapper();
    private final Cache<String, RegistryState> listings;
    private final Semaphore listingLoads;
    // Reading a listing (the module over thousands of records) only needs the CPU: more reads at
    // once than cores finish no sooner, and each holds its listing meanwhile.
    private final Semaphore listingReads = new Semaphore(Runtime.getRuntime().availableProcessors());
    private final Duration listingLoadWait;

    /**
     * @param breaker            keeps reads off a compute unit that keeps failing, so that with both
     *                           tiers down requests are answered (stale or 503) without hammering either
     * @param listingReuse       how long one fetch of a search's or a listing's records serves its reads
     * @param listingRecordsKept records all the listings kept meanwhile may hold together
     * @param listingLoadsAtOnce listings fetched and decoded at the same time, at most
     * @param listingLoadWait    how long a read waits for its turn to fetch a listing before it fails
     */
    public DryrunReader(ComputeUnitClient computeUnit, RegistryModule module, boolean enabled, UpstreamTiming timing,
            CircuitBreaker breaker, Duration listingReuse, long listingRecordsKept, int listingLoadsAtOnce,
            Duration listingLoadWait) {
        this.listingLoads = new Semaphore(listingLoadsAtOnce);
        this.listingLoadWait = listingLoadWait;
        this.listings = Caffeine.newBuilder().expireAfterWrite(listingReuse).maximumWeight(listingRecordsKept)
                .weigher((String listing, RegistryState state) -> 1 + state.skillCount()).build();
        this.computeUnit = computeUnit;
        this.module = module;
        this.enabled = enabled;
        this.timing = timing;
        this.breaker = breaker;
    }

    public String read(Exchange exchange, @ExchangeProperty("registryRequest") RegistryRequest request) {
        if (!enabled) {
            throw new UpstreamException(SOURCE, "the dryrun fallback is disabled (ao.dryrun-enabled)");
        }
        if (!breaker.tryAcquirePermission()) {
            throw new UpstreamException(SOURCE, "the compute unit failed too often; not asked again yet");
        }
        long start = System.nanoTime();
        try {
            String answer = answer(request);
            breaker.onSuccess(System.nanoTime() - start, TimeUnit.NANOSECONDS);
            timing.answered(exchange, SOURCE, start);
            return answer;
        } catch (NoTurnException e) {
            // the gateway turned the read away, the compute unit was not asked: nothing to count against it
            breaker.releasePermission();
            timing.failed(SOURCE, start);
            throw e;
        } catch (UpstreamException e) {
            breaker.onError(System.nanoTime() - start, TimeUnit.NANOSECONDS, e);
            timing.failed(SOURCE, start);
            throw e;
        }
    }

    private String answer(RegistryRequest request) {
        return switch (request.function()) {
            case "info" -> totals(request, true);
            case "get-download-stats" -> request.param("scope") != null ? totals(request, false)
                    : overState(request, versionsOf(request.param("name"), request.param("version")));
            case "search-skills" -> overListing(request, "Search-Skills " + request.params().getOrDefault("q", ""),
                    () -> latestRecords("Search-Skills", "Search-Results",
                            Map.of("Query", request.params().getOrDefault("q", ""))));
            case "list-skills" -> {
                Map<String, String> filters = listFilters(request);
                yield overListing(request, "List-Skills " + filters, () -> listed(filters));
            }
            case "get-skill", "record-download" -> overState(request,
                    versionsOf(request.param("name"), request.params().getOrDefault("version", "")));
            case "get-skill-versions" -> overState(request, versionsOf(request.param("name"), null));
            default -> throw new IllegalArgumentException("no dryrun mapping for " + request.function());
        };
    }

    /** Whether the compute unit evaluates the process now: for readiness, outside the breaker. */
    public boolean probe() {
        if (!enabled) {
            return false;
        }
        try {
            return "Info-Response".equals(computeUnit.send("Info", Map.of()).action());
        } catch (UpstreamException e) {
            return false;
        }
    }

    private String overState(RegistryRequest request, ObjectNode skills) {
        return module.call(request.function(), module.decode(skills.toString()), request.params());
    }

    /**
     * A search or a list page needs every record the process matches (it neither orders nor pages
     * them as the API does): up to the whole registry, fetched and decoded once per listing and
     * shared, read-only, by every page and reader of it for {@code ao.listing-reuse-seconds}.
     */
    private String overListing(RegistryRequest request, String listing, Supplier<ObjectNode> records) {
        // The permit first, the listing after: a read waiting for its turn holds no listing, so
        // listings evicted meanwhile are collected. Without it, in the suite's outage
        // (2026-11-22), reads on hundreds of threads each held a listing of thousands of records
        // (468,000 Lua tables live at once, about 90 MB) and the 256 MB heap ran out.
        acquire(listingReads, listing, "other listings are being read");
        try {
            RegistryState state = listings.get(listing, key -> {
                // a listing being fetched holds up to the whole registry several times over (reply, records, Lua tables)
                acquire(listingLoads, listing, "other listings are being fetched");
                try {
                    return module.decode(records.get().toString());
                } finally {
                    listingLoads.release();
                }
            });
            return module.call(request.function(), state, request.params());
        } finally {
            listingReads.release();
        }
    }

    // one permit of a bounded kind, or an upstream failure once the dryrun's time limit has passed
    private void acquire(Semaphore permits, String listing, String busy) {
        try {
            if (!permits.tryAcquire(listingLoadWait.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new NoTurnException("no room to read " + listing + ": " + busy);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new NoTurnException("interrupted while waiting to read " + listing);
        }
    }

    // info and the aggregate stats are what the process computes (contract section 5)
    private String totals(RegistryRequest request, boolean forInfo) {
        Map<String, String> tags = new LinkedHashMap<>();
        tags.put("Scope", "all");
        String range = forInfo ? "all" : request.params().getOrDefault("timerange", "all");
        tags.put("TimeRange", range);
        JsonNode stats = data(expect(computeUnit.send("Get-Download-Stats", tags), "Download-Stats"));
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

    private ObjectNode latestRecords(String action, String replyAction, Map<String, String> tags) {
        JsonNode records = records(expect(computeUnit.send(action, tags), replyAction));
        ObjectNode skills = json.createObjectNode();
        records.forEach(record -> addLatest(skills, record));
        return skills;
    }

    private static Map<String, String> listFilters(RegistryRequest request) {
        Map<String, String> filters = new LinkedHashMap<>();
        if (request.param("author") != null) {
            filters.put("Author", request.param("author"));
        }
        if (request.param("name") != null) {
            filters.put("FilterName", request.param("name"));
        }
        if (request.param("tags") != null && !request.param("tags").isEmpty()) {
            ArrayNode tags = JsonNodeFactory.instance.arrayNode();
            for (String tag : request.param("tags").split(",")) {
                tags.add(tag);
            }
            filters.put("FilterTags", tags.toString());
        }
        return filters;
    }

    // The process pages in its own (unstable) order: every page is fetched and the module orders
    // them. The first page tells how many there are; the others are asked side by side, so a
    // listing takes about one dryrun's time, not one per hundred skills.
    private ObjectNode listed(Map<String, String> filters) {
        ObjectNode skills = json.createObjectNode();
        JsonNode first = records(expect(computeUnit.send("List-Skills", listPage(filters, 0)), "Skills-List"));
        first.path("skills").forEach(record -> addLatest(skills, record));
        int total = first.path("pagination").path("total").asInt(0);
        if (first.path("skills").size() < PROCESS_PAGE) {
            return skills;
        }
        List<CompletableFuture<Reply>> pages = new ArrayList<>();
        for (int page = 1; page < MAX_PAGES && page * PROCESS_PAGE < total; page++) {
            pages.add(computeUnit.sendAsync("List-Skills", listPage(filters, page)));
        }
        for (CompletableFuture<Reply> page : pages) {
            records(expect(join(page), "Skills-List")).path("skills").forEach(record -> addLatest(skills, record));
        }
        return skills;
    }

    private static Map<String, String> listPage(Map<String, String> filters, int page) {
        Map<String, String> tags = new LinkedHashMap<>(filters);
        tags.put("Limit", Integer.toString(PROCESS_PAGE));
        tags.put("Offset", Integer.toString(page * PROCESS_PAGE));
        return tags;
    }

    /**
     * One skill with the versions a query needs: the one asked for ({@code ""} = the latest), or
     * with {@code version == null} every version, fetched side by side.
     */
    private ObjectNode versionsOf(String name, String version) {
        ObjectNode skills = json.createObjectNode();
        if (version != null) {
            Map<String, String> tags = new LinkedHashMap<>();
            tags.put("Name", name);
            if (!version.isEmpty()) {
                tags.put("Version", version);
            }
            Reply reply = computeUnit.send("Get-Skill", tags);
            if (reply.isError()) {
                return missing(skills, name, reply);
            }
            JsonNode record = data(expect(reply, "Skill-Found"));
            ObjectNode entry = skills.putObject(name);
            String found = record.path("version").asText(version);
            entry.put("latest", found);
            entry.putObject("versions").set(found, record);
            return skills;
        }
        Reply listing = computeUnit.send("Get-Skill-Versions", Map.of("Name", name));
        if (listing.isError()) {
            return missing(skills, name, listing);
        }
        JsonNode versions = data(expect(listing, "Skill-Versions"));
        List<CompletableFuture<Reply>> records = new ArrayList<>();
        for (JsonNode listed : versions.path("versions")) {
            records.add(computeUnit.sendAsync("Get-Skill", Map.of("Name", name, "Version", listed.asText())));
        }
        ObjectNode entry = skills.putObject(name);
        entry.set("latest", versions.get("latest"));
        ObjectNode byVersion = entry.putObject("versions");
        for (CompletableFuture<Reply> pending : records) {
            JsonNode record = data(expect(join(pending), "Skill-Found"));
            byVersion.set(record.path("version").asText(), record);
        }
        return skills;
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

    private void addLatest(ObjectNode skills, JsonNode record) {
        String name = record.path("name").asText();
        String version = record.path("version").asText();
        ObjectNode entry = skills.putObject(name);
        entry.put("latest", version);
        entry.putObject("versions").set(version, record);
    }

    private static Reply expect(Reply reply, String action) {
        if (!action.equals(reply.action())) {
            throw new UpstreamException(SOURCE, "expected a " + action + " reply, got "
                    + (reply.action() == null ? "none" : reply.action() + (reply.error() != null ? ": " + reply.error() : "")));
        }
        return reply;
    }

    /**
     * Listing records without their download timestamps, the bulk of a record: no listing answer
     * shows them, and downloadCount holds their number (contract sections 1 and 2); the module's
     * own light decode drops them the same way on a node.
     */
    private JsonNode records(Reply reply) {
        if (reply.data() == null) {
            return NullNode.instance;
        }
        try (JsonParser parser = new FilteringParserDelegate(json.createParser(reply.data()), WITHOUT_TIMESTAMPS,
                TokenFilter.Inclusion.INCLUDE_ALL_AND_PATH, true)) {
            JsonNode records = json.readTree(parser);
            return records == null ? NullNode.instance : records;
        } catch (IOException e) {
            throw new UpstreamException(SOURCE, reply.action() + " data is not JSON");
        }
    }

    private JsonNode data(Reply reply) {
        try {
            return json.readTree(reply.data() == null ? "null" : reply.data());
        } catch (IOException e) {
            throw new UpstreamException(SOURCE, reply.action() + " data is not JSON");
        }
    }

    /** A listing read that found no turn within the dryrun's time limit: the gateway's refusal, not the compute unit's failure. */
    private static final class NoTurnException extends UpstreamException {
        NoTurnException(String detail) {
            super(SOURCE, detail);
        }
    }
}

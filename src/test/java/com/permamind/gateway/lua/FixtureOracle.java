package com.permamind.gateway.lua;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;
import java.util.stream.StreamSupport;

/**
 * Expectations computed straight from the fixture's JSON with plain Java, so the module's
 * answers are checked against an independent reading of the contract.
 */
final class FixtureOracle {

    static final long DAY_MS = 86_400_000L;
    /** Byte order of the UTF-8 encoding, the contract's "name ascending". */
    static final Comparator<String> BYTE_ORDER = (a, b) ->
            java.util.Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));

    private FixtureOracle() {
    }

    static JsonNode skills() {
        return LuaQueries.FIXTURE.skills();
    }

    static long now() {
        return LuaQueries.FIXTURE.now();
    }

    static List<String> names() {
        List<String> names = new ArrayList<>();
        skills().fieldNames().forEachRemaining(names::add);
        names.sort(BYTE_ORDER);
        return names;
    }

    static JsonNode latestRecord(String name) {
        JsonNode entry = skills().get(name);
        return entry.path("versions").get(entry.path("latest").asText());
    }

    /** Names, in contract order, whose latest record passes the filter. */
    static List<String> namesWhereLatest(Predicate<JsonNode> filter) {
        return names().stream().filter(name -> filter.test(latestRecord(name))).toList();
    }

    static String foldAscii(String text) {
        StringBuilder folded = new StringBuilder(text.length());
        text.chars().forEach(c -> folded.append(c >= 'A' && c <= 'Z' ? (char) (c + 32) : (char) c));
        return folded.toString();
    }

    static List<String> tags(JsonNode record) {
        return StreamSupport.stream(record.path("tags").spliterator(), false).map(JsonNode::asText).toList();
    }

    static long millis(long timestamp) {
        return timestamp < 100_000_000_000L ? timestamp * 1000 : timestamp;
    }

    static List<Long> downloadTimes(JsonNode record) {
        return StreamSupport.stream(record.path("downloadTimestamps").spliterator(), false)
                .map(t -> millis(t.asLong())).toList();
    }

    static long countWithin(List<Long> times, int days) {
        long from = now() - days * DAY_MS;
        return times.stream().filter(t -> t >= from && t <= now()).count();
    }

    static String lower(String text) {
        return text.toLowerCase(Locale.ROOT);
    }
}

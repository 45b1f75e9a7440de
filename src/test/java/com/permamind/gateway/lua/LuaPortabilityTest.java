package com.permamind.gateway.lua;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.permamind.gateway.lua.ExternalLua.Interpreter;
import com.permamind.gateway.lua.ExternalLua.Vector;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The same vectors through luaj (the gateway), the reference Lua 5.3, Luerl 1.0 and Luerl 1.3.0
 * (what HyperBEAM nodes run) must give the same JSON, byte for byte, with the state as a JSON
 * string as on a node: the queries' answers and their canonical requests.
 */
class LuaPortabilityTest {

    private static final Path MODULE_FILE = Path.of("lua/registry.lua");
    private static final String NOW = LuaQueries.NOW;
    static final String CANONICAL_REQUEST = "canonical-request";
    static final List<Vector> VECTORS = vectors();

    private static List<Vector> vectors() {
        List<Vector> vectors = new ArrayList<>();
        add(vectors, "info");
        for (String q : List.of("", "ao", "AO", "Cache", "  lua ", "日本語", "ÜNïCöDé", ".", "%a", "[", "no-hit",
                "x".repeat(257), "   ", "\t\u000b ao \r\n", " ".repeat(4096) + "ao" + " ".repeat(4096))) {
            add(vectors, "search-skills", "q", q);
        }
        add(vectors, "search-skills", "limit", "1", "offset", "3");
        add(vectors, "search-skills", "limit", "100");
        add(vectors, "search-skills", "offset", "1000");
        add(vectors, "search-skills", "limit", "0");
        add(vectors, "list-skills");
        add(vectors, "list-skills", "author", "grace hopper", "limit", "100");
        add(vectors, "list-skills", "name", "BUNDLER");
        add(vectors, "list-skills", "tags", "ao, Beginner");
        add(vectors, "list-skills", "tags", " , ao ,, ", "author", "  grace hopper\t");
        add(vectors, "list-skills", "tags", "a,b,c,d,e,f,g,h,i,j,k");
        add(vectors, "list-skills", "offset", "39", "limit", "5");
        for (String name : List.of("semver-order", "legacy-seconds", "unicode_skill.v2", "bridge-cache", "ghost",
                "a/b", "", "c1\u0085", "ü".repeat(128), "n".repeat(129))) {
            add(vectors, "get-skill", "name", name);
            add(vectors, "get-skill-versions", "name", name);
            add(vectors, "get-download-stats", "name", name, "now", NOW);
            add(vectors, "record-download", "name", name);
        }
        add(vectors, "get-skill", "name", "semver-order", "version", "1.10.0");
        add(vectors, "get-skill", "name", "semver-order", "version", "9.9.9");
        add(vectors, "get-skill", "name", "semver-order", "version", "v1");
        add(vectors, "get-download-stats", "name", "window-edges", "now", NOW, "timerange", "7");
        add(vectors, "get-download-stats", "name", "window-edges", "now", NOW, "timerange", "30");
        add(vectors, "get-download-stats", "name", "semver-order", "version", "1.9.0", "now", NOW);
        add(vectors, "get-download-stats", "scope", "all", "now", NOW);
        add(vectors, "get-download-stats", "scope", "all", "now", NOW, "timerange", "7");
        add(vectors, "get-download-stats", "name", "cron", "timerange", "14", "now", NOW);
        add(vectors, "get-download-stats", "name", "cron");
        add(vectors, "record-download", "name", "semver-order", "version", "1.10.0");
        add(vectors, "search-skills", "limit", "007", "offset", "000", "q", "x", "tags", "ignored");
        add(vectors, "get-download-stats", "scope", "all", "name", "a/b", "now", "0" + NOW);
        add(vectors, "get-download-stats", "scope", "some", "now", NOW);
        add(vectors, "get-download-stats", "name", "cron", "now", "99999999999999999");
        // and the canonical request of each, as the gateway reads it
        for (Vector vector : List.copyOf(vectors)) {
            Map<String, String> req = new LinkedHashMap<>(vector.req());
            req.put("function", vector.function());
            vectors.add(new Vector(CANONICAL_REQUEST, req));
        }
        return vectors;
    }

    // The answers a node gives as domain errors (a 404 or 400 for the client, never a runtime
    // error) are the ones Luerl 1.3.0 broke: the vectors must hold both kinds.
    @Test
    void should_include_not_found_and_bad_request_vectors() {
        List<String> answers = throughTheGateway();
        for (String kind : List.of("not_found", "bad_request")) {
            long count = answers.stream().filter(line -> line.startsWith("{\"error\":{\"kind\":\"" + kind + "\"")).count();
            assertTrue(count >= 5, count + " vectors answer " + kind);
        }
    }

    private static void add(List<Vector> vectors, String function, String... keyValues) {
        vectors.add(new Vector(function, LuaQueries.params(keyValues)));
    }

    private static List<String> throughTheGateway() {
        return VECTORS.stream().map(v -> LuaQueries.MODULE.call(v.function(), LuaQueries.STATE, v.req())).toList();
    }

    @Test
    void should_answer_the_same_from_a_decoded_state_and_from_the_json_string() {
        String json = LuaQueries.FIXTURE.skillsJson();
        List<String> fromString = VECTORS.stream()
                .map(v -> LuaQueries.MODULE.callWithJsonState(v.function(), json, v.req())).toList();
        assertSameLines(throughTheGateway(), fromString, "luaj with the JSON string");
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Interpreter.class)
    void should_answer_the_same_under_every_interpreter(Interpreter interpreter) {
        ExternalLua.assumeAvailable(interpreter);
        List<String> external = ExternalLua.run(interpreter, MODULE_FILE, LuaQueries.FIXTURE.skillsJson(), VECTORS);
        assertSameLines(throughTheGateway(), external, interpreter.name());
    }

    private static String excerpt(String text, int at) {
        return text.substring(Math.max(0, at - 60), Math.min(text.length(), at + 60));
    }

    private static void assertSameLines(List<String> expected, List<String> actual, String where) {
        assertEquals(expected.size(), actual.size(), where + " answered a different number of vectors");
        for (int i = 0; i < expected.size(); i++) {
            String want = expected.get(i);
            String got = actual.get(i);
            if (!want.equals(got)) {
                int at = 0;
                while (at < Math.min(want.length(), got.length()) && want.charAt(at) == got.charAt(at)) {
                    at++;
                }
                fail(where + " differs on " + VECTORS.get(i) + " at character " + at + ": expected ..."
                        + excerpt(want, at) + "... but was ..." + excerpt(got, at) + "...");
            }
        }
    }
}

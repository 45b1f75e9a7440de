package com.permamind.gateway.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The key of a read (response cache, validation memo, cache front's index) cannot be made by any
 * other read: pairs of requests that differ, built the way an attacker would build them (a value
 * that spells the separator and another parameter, parameters merged or split, one character
 * changed), never share a key.
 */
class RegistryRequestKeyTest {

    private static final List<String> QUERIES = List.of("search-skills", "list-skills", "get-skill", "record-download");
    private static final List<String> NAMES = List.of("q", "limit", "offset", "name", "version", "author", "tags", "now");
    // the characters that separate or count parts of a key, and a few plain ones
    private static final String ALPHABET = "\u0000=&:;,|%1209aq. \n";
    private static final List<String> JOINS = List.of("\u0000", "=", "&", ":", "1:", "\u00001:q", "5:");

    private final Random random = new Random(25);

    @Test
    void should_give_different_keys_to_every_pair_of_different_requests() {
        int compared = 0;
        for (int i = 0; i < 20_000; i++) {
            RegistryRequest one = randomRequest();
            RegistryRequest other = mutated(one);
            if (one.query().equals(other.query()) && one.params().equals(other.params())) {
                continue;
            }
            compared++;
            assertNotEquals(one.key(), other.key(), () -> "two requests share a key: " + one + " and " + other);
        }
        assertEquals(true, compared > 15_000, "too few different pairs were generated: " + compared);
    }

    @Test
    void should_give_equal_requests_the_same_key() {
        for (int i = 0; i < 1_000; i++) {
            RegistryRequest one = randomRequest();
            RegistryRequest same = new RegistryRequest(one.query(), one.function(), new TreeMap<>(one.params()));
            assertEquals(one.key(), same.key());
        }
    }

    @Test
    void should_not_let_the_offset_of_one_search_spell_the_query_of_another() {
        RegistryRequest honest = new RegistryRequest("search-skills", "search-skills",
                new TreeMap<>(Map.of("q", "claude", "limit", "20", "offset", "0")));
        RegistryRequest attack = new RegistryRequest("search-skills", "search-skills",
                new TreeMap<>(Map.of("limit", "20", "offset", "0\u0000q=claude")));
        assertNotEquals(honest.key(), attack.key());
    }

    private RegistryRequest randomRequest() {
        TreeMap<String, String> params = new TreeMap<>();
        int count = random.nextInt(4);
        for (int i = 0; i < count; i++) {
            params.put(NAMES.get(random.nextInt(NAMES.size())), randomText(random.nextInt(6)));
        }
        String query = QUERIES.get(random.nextInt(QUERIES.size()));
        return new RegistryRequest(query, query, params);
    }

    private RegistryRequest mutated(RegistryRequest request) {
        TreeMap<String, String> params = new TreeMap<>(request.params());
        List<String> names = new ArrayList<>(params.keySet());
        switch (random.nextInt(4)) {
            case 0 -> {
                // one value swallows the next parameter, joined as an old key would join them
                if (names.size() >= 2) {
                    int at = random.nextInt(names.size() - 1);
                    String first = names.get(at);
                    String second = names.get(at + 1);
                    params.put(first, params.get(first) + JOINS.get(random.nextInt(JOINS.size())) + second + "="
                            + params.remove(second));
                } else {
                    params.put("offset", "0\u0000q=" + randomText(3));
                }
            }
            case 1 -> {
                // a value split into a parameter of its own
                String name = names.isEmpty() ? "q" : names.get(random.nextInt(names.size()));
                String value = params.getOrDefault(name, "");
                int cut = value.isEmpty() ? 0 : random.nextInt(value.length() + 1);
                params.put(name, value.substring(0, cut));
                params.put(NAMES.get(random.nextInt(NAMES.size())), value.substring(cut));
            }
            case 2 -> {
                // one character more in a name's value or a name moved into a value
                String name = names.isEmpty() ? "limit" : names.get(random.nextInt(names.size()));
                params.put(name, params.getOrDefault(name, "") + ALPHABET.charAt(random.nextInt(ALPHABET.length())));
            }
            default -> {
                // the same parameters under another query, whose name may spell the first parameter
                String query = request.query() + JOINS.get(random.nextInt(JOINS.size()));
                return new RegistryRequest(query, request.function(), params);
            }
        }
        return new RegistryRequest(request.query(), request.function(), params);
    }

    private String randomText(int length) {
        StringBuilder text = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            text.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
        }
        return text.toString();
    }
}

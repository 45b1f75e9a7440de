package com.permamind.gateway.lua;

import static com.permamind.gateway.lua.LuaQueries.data;
import static com.permamind.gateway.lua.LuaQueries.error;
import static com.permamind.gateway.lua.LuaQueries.raw;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Text parameters are trimmed before their length is checked, so the trim must cost what the
 * text's length costs, whatever its spaces: a pattern that retries its tail at every space of an
 * inner run ({@code "^%s*(.-)%s*$"}) took some 10^9 steps for 64 KB, on the gateway and on a node.
 * Measured as a ratio to a short query in the same run, under luaj.
 */
class WhitespaceCostTest {

    private static final String INNER_SPACES = "a" + " ".repeat(64 * 1024) + "o";
    private static final int ROUNDS = 9;
    // what the linear trim measures is 1-4x; the quadratic one was above 10,000x
    private static final double MAX_RATIO = 10;
    // past this a single call is plainly not linear: fail now rather than after every round
    private static final double HOPELESS_RATIO = 2000;

    @Test
    void should_refuse_64_kb_of_inner_spaces_at_the_cost_of_a_short_query() {
        assertEquals("ao", data("search-skills", "q", "   ao\t\n").get("query").asText());
        assertEquals("q must be at most 256 characters",
            error("search-skills", "q", "a" + " ".repeat(1024) + "o").get("message").asText());
        long shortBaseline = Long.MAX_VALUE;
        for (int i = 0; i < 50; i++) {
            // the same code paths warm, with a run of spaces that costs little even when quadratic
            raw("search-skills", "q", "a" + " ".repeat(1024) + "o");
            shortBaseline = Math.min(shortBaseline, nanos("ao"));
        }

        long[] shortQuery = new long[ROUNDS];
        long[] innerSpaces = new long[ROUNDS];
        for (int round = 0; round < ROUNDS; round++) {
            shortQuery[round] = nanos("ao");
            innerSpaces[round] = nanos(INNER_SPACES);
            if (innerSpaces[round] > HOPELESS_RATIO * shortBaseline) {
                fail("64 KB of inner spaces took " + innerSpaces[round] / 1000 + " µs, a short query "
                    + shortBaseline / 1000 + " µs");
            }
        }

        double ratio = (double) median(innerSpaces) / median(shortQuery);
        assertTrue(ratio <= MAX_RATIO, "64 KB of inner spaces cost " + ratio + "x a short query (medians "
            + median(innerSpaces) / 1000 + " and " + median(shortQuery) / 1000 + " µs)");
    }

    private static long nanos(String q) {
        long start = System.nanoTime();
        raw("search-skills", "q", q);
        return System.nanoTime() - start;
    }

    private static long median(long[] values) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}

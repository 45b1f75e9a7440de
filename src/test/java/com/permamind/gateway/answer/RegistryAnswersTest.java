package com.permamind.gateway.answer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.permamind.gateway.query.RegistryRequest;
import com.permamind.gateway.query.RegistryRequests;
import com.permamind.gateway.upstream.UpstreamTiming;
import io.vertx.core.buffer.Buffer;
import java.util.List;
import java.util.Locale;
import java.util.TreeMap;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

/** The answer is the same whether the reader left the module's answer parsed or as JSON text. */
class RegistryAnswersTest {

    private static final String MODULE_ANSWER = "{\"data\":{\"version\":\"1.0.0\",\"tags\":{},\"name\":\"x\","
            + "\"downloadCount\":3.0,\"description\":\"caf\\u00e9 \\ud83d\\ude00\"},\"ok\":true}";

    private final RegistryAnswers answers = new RegistryAnswers("process", List.of("get-skill"), 5);

    @Test
    void should_answer_alike_from_a_parsed_answer_and_from_its_text() throws Exception {
        Exchange fromText = exchange(MODULE_ANSWER);
        Exchange fromTree = exchange(new ObjectMapper().readTree(MODULE_ANSWER));

        answers.answer(fromText, skill());
        answers.answer(fromTree, skill());

        byte[] expected = "{\"description\":\"caf\u00e9 \ud83d\ude00\",\"downloadCount\":3,\"name\":\"x\",\"tags\":[],\"version\":\"1.0.0\"}"
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        assertArrayEquals(expected, fromText.getMessage().getBody(Buffer.class).getBytes());
        assertArrayEquals(expected, fromTree.getMessage().getBody(Buffer.class).getBytes());
        assertEquals(fromText.getMessage().getHeaders(), fromTree.getMessage().getHeaders());
    }

    @Test
    void should_write_the_upstream_time_in_milliseconds_with_one_decimal() {
        assertEquals("upstream;dur=0.0;desc=\"dryrun\"", RegistryAnswers.serverTiming(0, "dryrun"));
        assertEquals("upstream;dur=0.1;desc=\"dryrun\"", RegistryAnswers.serverTiming(50_000, "dryrun"));
        assertEquals("upstream;dur=1234.6;desc=\"dryrun\"", RegistryAnswers.serverTiming(1_234_567_890, "dryrun"));
        java.util.Random random = new java.util.Random(42);
        for (int i = 0; i < 10_000; i++) {
            long nanos = random.nextInt(2_000_000_000);
            if (nanos % 100_000 == 50_000) {
                continue; // exactly half way: the double of %.1f may round either way
            }
            assertEquals(String.format(Locale.ROOT, "upstream;dur=%.1f;desc=\"hyperbeam\"", nanos / 1e6),
                    RegistryAnswers.serverTiming(nanos, "hyperbeam"), nanos + " ns");
        }
    }

    private static Exchange exchange(Object body) {
        Exchange exchange = new DefaultExchange(new DefaultCamelContext());
        exchange.getMessage().setBody(body);
        exchange.getMessage().setHeader("name", "x");
        exchange.setProperty(UpstreamTiming.SOURCE, "hyperbeam");
        exchange.setProperty(UpstreamTiming.UPSTREAM_NANOS, 12_345_678L);
        exchange.setProperty(RegistryRequests.REQUEST, skill());
        return exchange;
    }

    private static RegistryRequest skill() {
        TreeMap<String, String> params = new TreeMap<>();
        params.put("name", "x");
        return new RegistryRequest("get-skill", "get-skill", params);
    }
}

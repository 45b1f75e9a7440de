package com.permamind.gateway.lua;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.permamind.gateway.dev.RegistryFixture;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The module may be called from any thread, as many at once as the gateway likes, with the same answers. */
class RegistryModuleThreadsTest {

    private static final RegistryFixture FIXTURE = RegistryFixture.load();
    private static final String NOW = Long.toString(FIXTURE.now());

    private static final List<Object[]> CALLS = List.of(
            new Object[] {"get-skill", Map.of("name", "semver-order")},
            new Object[] {"get-skill", Map.of("name", "semver-order", "version", "1.10.0")},
            new Object[] {"get-skill", Map.of("name", "no-such-skill")},
            new Object[] {"get-skill", Map.of("name", "bad/name")},
            new Object[] {"get-skill-versions", Map.of("name", "semver-order")},
            new Object[] {"search-skills", Map.of("q", "ao", "limit", "5", "offset", "0")},
            new Object[] {"list-skills", Map.of("limit", "20", "offset", "0")},
            new Object[] {"get-download-stats", Map.of("scope", "all", "timerange", "all", "now", NOW)},
            new Object[] {"info", Map.of()});

    @Test
    void should_answer_alike_from_many_threads_at_once() throws Exception {
        RegistryModule module = RegistryModule.load();
        RegistryState state = module.decode(FIXTURE.skillsJson());
        List<String> expected = new ArrayList<>();
        for (Object[] call : CALLS) {
            expected.add(call(module, state, call));
        }
        int threads = 16;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<List<String>>> results = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int offset = t;
            results.add(pool.submit(() -> {
                start.await();
                List<String> answers = new ArrayList<>();
                for (int i = 0; i < 10 * CALLS.size(); i++) {
                    answers.add(call(module, state, CALLS.get((i + offset) % CALLS.size())));
                }
                return answers;
            }));
        }
        start.countDown();
        for (int t = 0; t < threads; t++) {
            List<String> answers = results.get(t).get(60, TimeUnit.SECONDS);
            for (int i = 0; i < answers.size(); i++) {
                assertEquals(expected.get((i + t) % CALLS.size()), answers.get(i), "thread " + t + ", call " + i);
            }
        }
        pool.shutdown();
        assertTrue(module.runtimesMade() <= threads + 1, module.runtimesMade() + " runtimes for " + threads + " threads");
    }

    @Test
    void should_make_runtimes_for_calls_at_once_not_for_threads() throws Exception {
        RegistryModule module = RegistryModule.load();
        RegistryState state = module.decode(FIXTURE.skillsJson());
        // a new thread for every call, one call at a time: a runtime per thread would make 50
        for (int i = 0; i < 50; i++) {
            Object[] call = CALLS.get(i % CALLS.size());
            Thread thread = new Thread(() -> call(module, state, call));
            thread.start();
            thread.join();
        }
        assertEquals(1, module.runtimesMade());
    }

    @SuppressWarnings("unchecked")
    private static String call(RegistryModule module, RegistryState state, Object[] call) {
        return module.call((String) call[0], state, (Map<String, String>) call[1]);
    }
}

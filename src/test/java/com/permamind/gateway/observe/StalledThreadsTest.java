package com.permamind.gateway.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.permamind.gateway.http.ApiHttpServer;
import com.permamind.gateway.support.GatewayHarness;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A gateway whose virtual threads or API event loop run nothing any more answers no request that
 * needs them, while its management port goes on answering: liveness and readiness say DOWN, so
 * that the load balancer takes it out and the orchestrator restarts it, and UP again once they run.
 * The carriers are held here the way JDK 25 holds them for real: virtual threads waiting inside a
 * class initializer, and for it.
 */
class StalledThreadsTest {

    private static final int STALLED_AFTER_SECONDS = 2;
    // outside the class it releases: touching that class from here would wait for its initializer too
    private static final CountDownLatch RELEASE_INITIALIZER = new CountDownLatch(1);
    private static GatewayHarness gateway;

    @BeforeAll
    static void start() {
        gateway = GatewayHarness.start(Map.of("gateway.stalled-after-seconds", Integer.toString(STALLED_AFTER_SECONDS)));
    }

    @AfterAll
    static void stop() {
        gateway.close();
    }

    @Test
    void every_carrier_held_inside_a_class_initializer_makes_liveness_and_readiness_down_until_it_is_released()
            throws Exception {
        assertEquals(200, gateway.management("/observe/health/live").statusCode());
        List<Thread> pinning = new ArrayList<>();
        try {
            // the first runs the initializer and waits inside it; the others wait for it, each on a carrier
            for (int i = 0; i < Runtime.getRuntime().availableProcessors() + 1; i++) {
                pinning.add(Thread.ofVirtual().start(HeldInitializer::touch));
            }
            assertDown("virtual threads");
        } finally {
            RELEASE_INITIALIZER.countDown();
        }
        for (Thread thread : pinning) {
            thread.join(10_000);
        }
        assertUpAgain();
    }

    @Test
    void a_blocked_api_event_loop_makes_liveness_and_readiness_down_until_it_runs_again() throws Exception {
        assertEquals(200, gateway.get("/api/info").statusCode(), "a first request, which the event loop is known by");
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch blocked = new CountDownLatch(1);
        gateway.context().getRegistry().lookupByNameAndType("apiHttpServer", ApiHttpServer.class).runOnEventLoop(() -> {
            blocked.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        try {
            assertTrue(blocked.await(5, TimeUnit.SECONDS), "the event loop took no task");
            assertDown("the API's event loop");
        } finally {
            release.countDown();
        }
        assertUpAgain();
    }

    private static void assertDown(String stalled) throws InterruptedException {
        long deadline = System.currentTimeMillis() + (STALLED_AFTER_SECONDS + 10) * 1000L;
        HttpResponse<String> live = gateway.management("/observe/health/live?data=true");
        while (live.statusCode() == 200 && System.currentTimeMillis() < deadline) {
            Thread.sleep(250);
            live = gateway.management("/observe/health/live?data=true");
        }
        assertEquals(503, live.statusCode(), live.body());
        assertTrue(live.body().contains(stalled + " ran nothing for"), live.body());
        HttpResponse<String> ready = gateway.management("/observe/health/ready");
        assertEquals(503, ready.statusCode(), ready.body());
    }

    private static void assertUpAgain() throws InterruptedException {
        long deadline = System.currentTimeMillis() + 10_000;
        while (gateway.management("/observe/health/live").statusCode() != 200 && System.currentTimeMillis() < deadline) {
            Thread.sleep(250);
        }
        assertEquals(200, gateway.management("/observe/health/live").statusCode());
        assertEquals(200, gateway.management("/observe/health/ready").statusCode());
    }

    /** Its initializer waits until released, holding every virtual thread that touches it. */
    private static final class HeldInitializer {
        static {
            try {
                RELEASE_INITIALIZER.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        static void touch() {
        }
    }
}

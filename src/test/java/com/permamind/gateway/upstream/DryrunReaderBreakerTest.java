package com.permamind.gateway.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.permamind.gateway.lua.RegistryModule;
import com.permamind.gateway.query.RegistryRequest;
import com.permamind.gateway.simulator.DryRunLimits;
import com.permamind.gateway.simulator.RegistrySimulator;
import com.permamind.gateway.support.GatewayHarness;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

/** The compute unit's breaker gets back every permit a read takes, however the read ends. */
class DryrunReaderBreakerTest {

    @Test
    void should_release_a_half_open_permit_when_the_read_fails_with_a_bug_of_ours() {
        try (RegistrySimulator simulator = GatewayHarness.startSimulator(DryRunLimits.Settings.UNLIMITED)) {
            CircuitBreaker breaker = CircuitBreaker.of("compute-unit", CircuitBreakerConfig.custom()
                    .permittedNumberOfCallsInHalfOpenState(1).build());
            breaker.transitionToOpenState();
            breaker.transitionToHalfOpenState();
            AtomicBoolean failOnce = new AtomicBoolean(true);
            Predicate<RegistryRequest> buggy = request -> {
                if (failOnce.getAndSet(false)) {
                    throw new IllegalStateException("a bug in the reader");
                }
                return false;
            };
            DryrunReader reader = new DryrunReader(new ComputeUnitClient(HttpClient.newHttpClient(),
                    URI.create(simulator.cuUrl()), simulator.processId(), Duration.ofSeconds(5), 16 << 20), RegistryModule.load(),
                    true, new UpstreamTiming(new SimpleMeterRegistry()), breaker, new DryrunBudget(0, System::nanoTime),
                    buggy, Duration.ZERO);
            RegistryRequest info = new RegistryRequest("info", "info", new TreeMap<>());

            assertThrows(IllegalStateException.class, () -> reader.read(exchange(), info));
            String answer = reader.read(exchange(), info);

            assertTrue(answer.contains("\"ok\":true"), answer);
            assertEquals(CircuitBreaker.State.CLOSED, breaker.getState(), "the half-open breaker got its call");
        }
    }

    private static DefaultExchange exchange() {
        return new DefaultExchange(new DefaultCamelContext());
    }
}

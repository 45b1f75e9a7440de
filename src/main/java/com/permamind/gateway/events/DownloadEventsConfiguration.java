package com.permamind.gateway.events;

import com.permamind.gateway.OnceMadeBeans;
import com.permamind.gateway.query.RegistryRequests;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.function.Predicate;
import org.apache.camel.BeanInject;
import org.apache.camel.BindToRegistry;
import org.apache.camel.PropertyInject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The beans of the download events routes (download-events.yaml, download-forwarder.yaml); every
 * setting comes from the {@code download-events.*} properties.
 */
public class DownloadEventsConfiguration extends OnceMadeBeans {

    private static final Logger LOG = LoggerFactory.getLogger(DownloadEventsConfiguration.class);
    private static final int GENERATED_SECRET_BYTES = 32;

    @BindToRegistry
    public DownloadClients downloadClients(
            @PropertyInject(value = "download-events.client-hash-secret", defaultValue = "") String secret,
            @PropertyInject(value = "download-events.client-address-header", defaultValue = "") String addressHeader,
            @PropertyInject("download-events.rate-limit.events-per-period") int eventsPerPeriod,
            @PropertyInject("download-events.rate-limit.period-millis") long periodMillis) {
        return once("downloadClients", () -> {
            byte[] key;
            if (secret.isBlank()) {
                key = new byte[GENERATED_SECRET_BYTES];
                new SecureRandom().nextBytes(key);
                LOG.warn("download-events.client-hash-secret is not set: client hashes use a random secret and change "
                        + "at every restart; set DOWNLOAD_EVENTS_CLIENT_HASH_SECRET in production");
            } else {
                key = secret.getBytes(StandardCharsets.UTF_8);
            }
            LOG.info("Download events: at most {} per client every {} ms, client address from {}", eventsPerPeriod,
                    periodMillis, addressHeader.isBlank() ? "the connection" : "the last entry of " + addressHeader);
            return new DownloadClients(key, addressHeader, eventsPerPeriod, Duration.ofMillis(periodMillis));
        });
    }

    // lazy: the beans it needs come from GatewayConfiguration, which may be bound after this one
    @BindToRegistry(lazy = true)
    public DownloadEvents downloadEvents(@BeanInject("registryRequests") RegistryRequests requests) {
        // the real clock, never the pinned one: an event says when it happened
        return new DownloadEvents(requests, Clock.systemUTC());
    }

    @BindToRegistry
    public DownloadEventAnswers downloadEventAnswers(
            @PropertyInject("download-events.retry-after-seconds") int retryAfterSeconds) {
        return once("downloadEventAnswers", () -> new DownloadEventAnswers(retryAfterSeconds));
    }

    // lazy: the beans it needs come from GatewayConfiguration, which may be bound after this one
    @BindToRegistry(lazy = true)
    public DownloadForwarding downloadForwarding(@BeanInject("registryRequests") RegistryRequests requests) {
        return new DownloadForwarding(requests);
    }

    @BindToRegistry
    public ForwarderOffsets forwarderOffsets() {
        return once("forwarderOffsets", ForwarderOffsets::new);
    }

    @BindToRegistry
    public ForwarderPause forwarderPause(
            @PropertyInject("download-events.forwarder.minimum-pause-millis") long minimumPauseMillis) {
        return once("forwarderPause", () -> new ForwarderPause(minimumPauseMillis));
    }

    // lazy: bound after the listener it uses
    @BindToRegistry(lazy = true)
    public ForwarderBatch forwarderBatch(@BeanInject("forwarderPause") ForwarderPause pause) {
        return new ForwarderBatch(pause);
    }

    /**
     * The forwarder's resume check: the shared HyperBEAM breaker lets calls through again (closed, or
     * half-open to probe). While it is open, reads fall back to the dryrun and the forwarder waits.
     */
    // lazy: the beans it needs come from GatewayConfiguration, which may be bound after this one
    @BindToRegistry(lazy = true)
    public Predicate<Object> hyperbeamCallable(@BeanInject("hyperbeamBreaker") CircuitBreaker breaker) {
        return ignored -> breaker.getState() != CircuitBreaker.State.OPEN
                && breaker.getState() != CircuitBreaker.State.FORCED_OPEN;
    }
}

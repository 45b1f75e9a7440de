package com.permamind.gateway.events;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.camel.Header;

/**
 * The download events' meters, as the alerts and the dashboard read them:
 * {@code registry_download_events_total{outcome=accepted|delivered|parked}},
 * {@code registry_download_messages_sent_total{transport}} (messages an upstream accepted),
 * {@code registry_download_messages_repeats_avoided_total} (events whose message was known accepted,
 * so not sent again), {@code registry_download_messages_taken_before_total} (sent again, and the
 * upstream said it had the message already) and {@code registry_download_events_parked_total{reason}}; the forwarder's lag
 * is {@link ForwarderPause}'s.
 */
public class DownloadMetrics {

    /** The first word of a park reason, which keeps the label's values few. */
    private static final List<String> REASONS = List.of("malformed", "bad_request", "not_found", "refused", "other");

    private final MeterRegistry meters;
    private final Counter accepted;
    private final Counter delivered;
    private final Counter parked;
    private final Counter sent;
    private final Counter repeatsAvoided;
    private final Counter takenBefore;
    // registered at start, each reason at 0, so that the alerts and panels find the series before a first park
    private final Map<String, Counter> parkedByReason = new HashMap<>();

    public DownloadMetrics(MeterRegistry meters, MessageTransport transport) {
        this.meters = meters;
        accepted = events("accepted");
        delivered = events("delivered");
        parked = events("parked");
        sent = Counter.builder("registry.download.messages.sent")
                .description("Download messages an upstream accepted").tag("transport", transport.toString())
                .register(meters);
        repeatsAvoided = Counter.builder("registry.download.messages.repeats.avoided")
                .description("Download events not sent again: their message was already accepted").register(meters);
        takenBefore = Counter.builder("registry.download.messages.taken.before")
                .description("Download messages sent again that the upstream already had (409): counted once")
                .register(meters);
        for (String reason : REASONS) {
            parkedByReason.put(reason, Counter.builder("registry.download.events.parked")
                    .description("Download events parked, by reason").tag("reason", reason).register(meters));
        }
    }

    private Counter events(String outcome) {
        return Counter.builder("registry.download.events").description("Download events by outcome")
                .tag("outcome", outcome).register(meters);
    }

    /** An event Kafka acknowledged (the POST's 202). */
    public void accepted() {
        accepted.increment();
    }

    void delivered() {
        delivered.increment();
        sent.increment();
    }

    void repeatAvoided() {
        repeatsAvoided.increment();
    }

    /** The event is done: the upstream had its message from an earlier send. */
    void takenBefore() {
        delivered.increment();
        takenBefore.increment();
    }

    /** An event parked in the dead-letter topic, by its reason's kind. */
    public void parked(@Header("dlq-reason") String reason) {
        parked.increment();
        String kind = reason == null ? "" : reason.split(":", 2)[0].strip().toLowerCase(Locale.ROOT);
        parkedByReason.getOrDefault(kind, parkedByReason.get("other")).increment();
    }
}

package com.permamind.gateway.health;

import com.permamind.gateway.events.DownloadMessages;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

/**
 * The forwarder in the readiness details: whether it runs, the wallet address it signs as (never
 * the key), the transport and its breaker, and, when it does not run, why. Always up: reads do not
 * need it, and the events it has not delivered wait on the topic.
 */
public class DownloadForwarderHealthCheck extends AbstractHealthCheck {

    private final DownloadMessages messages;
    private final CircuitBreaker breaker;
    private final boolean enabled;
    private final BooleanSupplier running;

    public DownloadForwarderHealthCheck(DownloadMessages messages, CircuitBreaker breaker, boolean enabled,
            BooleanSupplier running) {
        super("registry", "download-forwarder");
        this.messages = messages;
        this.breaker = breaker;
        this.enabled = enabled;
        this.running = running;
    }

    @Override
    public boolean isLiveness() {
        return false;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        builder.detail("forwarder", running.getAsBoolean() ? "running" : enabled ? "stopped" : "switched off");
        builder.detail("forwarder.transport", messages.transport().toString());
        builder.detail("forwarder.breaker", breaker.getState().name());
        messages.signer().ifPresentOrElse(address -> builder.detail("forwarder.signer", address),
                () -> builder.detail("forwarder.problem", messages.missingWallet()
                        + ": download events wait on the topic until a wallet is set"));
        builder.up();
    }
}

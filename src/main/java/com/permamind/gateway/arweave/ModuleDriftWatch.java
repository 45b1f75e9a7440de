package com.permamind.gateway.arweave;

import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.camel.CamelContext;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the drift check at start-up and then every {@code period}, on a Camel-managed thread, so
 * a slow or unreachable Arweave gateway never delays or fails the gateway's start. Without a
 * module id (or with the check disabled) it only says so.
 */
public class ModuleDriftWatch extends ServiceSupport {

    private static final Logger LOG = LoggerFactory.getLogger(ModuleDriftWatch.class);

    private final CamelContext context;
    private final LuaModuleDriftCheck check;
    private final Duration period;
    private ScheduledExecutorService scheduler;

    public ModuleDriftWatch(CamelContext context, LuaModuleDriftCheck check, Duration period) {
        this.context = context;
        this.check = check;
        this.period = period;
    }

    /** The last comparison, for health details; empty while there is no check. */
    public java.util.Optional<ModuleDrift> lastResult() {
        return check == null ? java.util.Optional.empty() : java.util.Optional.of(check.lastResult());
    }

    @Override
    protected void doStart() {
        if (check == null) {
            LOG.info("Lua module drift check off: no module id, or arweave.drift-check-enabled=false");
            return;
        }
        scheduler = context.getExecutorServiceManager().newSingleThreadScheduledExecutor(this, "lua-module-drift");
        scheduler.scheduleWithFixedDelay(check::check, 0, period.toMinutes(), TimeUnit.MINUTES);
    }

    @Override
    protected void doStop() {
        if (scheduler != null) {
            context.getExecutorServiceManager().shutdownNow(scheduler);
        }
    }
}

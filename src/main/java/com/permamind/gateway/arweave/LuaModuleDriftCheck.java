package com.permamind.gateway.arweave;

import com.permamind.gateway.ans104.Sha256;
import com.permamind.gateway.upstream.BoundedBody;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Compares the Lua module published on Arweave ({@code {gateway}/raw/{moduleId}}) with the one the
 * gateway runs locally. When they differ, HyperBEAM nodes answer with other code than the
 * gateway's own fallback path: a WARN line, and the gauge {@value #GAUGE} (Prometheus:
 * {@code registry_lua_module_drift}) goes to 1. The route lua-module-drift.yaml runs it.
 *
 * <p>The gauge shows the last comparison that could be made: 0 same bytes, 1 drift, NaN before
 * any. An unreachable gateway leaves it as it was and is reported in {@link #lastResult()}.
 * {@link #check()} never throws: it runs from a timer. Without a module id (none configured, none
 * deployed yet) there is nothing to compare: it never fetches, and registers no gauge.
 */
public final class LuaModuleDriftCheck {

    public static final URI DEFAULT_GATEWAY = URI.create("https://arweave.net");
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);
    /** The module is tens of KB: anything past this is not it, and is read no further. */
    public static final long DEFAULT_MAX_BYTES = 1 << 20;
    public static final String GAUGE = "registry.lua.module.drift";

    private static final Logger LOG = LoggerFactory.getLogger(LuaModuleDriftCheck.class);
    private static final Pattern ARWEAVE_ID = Pattern.compile("[A-Za-z0-9_-]{43}");

    private final URI source;
    private final boolean hasModule;
    private final String moduleId;
    private final String localSha256;
    private final Duration timeout;
    private final long maxBytes;
    private final Clock clock;
    private final HttpClient http;
    private volatile ModuleDrift lastResult;
    private volatile double gaugeValue = Double.NaN;

    public LuaModuleDriftCheck(URI gateway, String moduleId, byte[] localModule, MeterRegistry meters) {
        this(gateway, moduleId, localModule, meters, DEFAULT_TIMEOUT, Clock.systemUTC());
    }

    public LuaModuleDriftCheck(URI gateway, String moduleId, byte[] localModule, MeterRegistry meters,
            Duration timeout, Clock clock) {
        this(gateway, moduleId, localModule, meters, timeout, DEFAULT_MAX_BYTES, clock);
    }

    /**
     * @param moduleId an Arweave id, or blank when there is none: then nothing is ever checked
     * @param maxBytes an answer larger than this is not the module: the gateway is reported unreachable
     */
    public LuaModuleDriftCheck(URI gateway, String moduleId, byte[] localModule, MeterRegistry meters,
            Duration timeout, long maxBytes, Clock clock) {
        this.hasModule = !moduleId.isBlank();
        if (hasModule && !ARWEAVE_ID.matcher(moduleId).matches()) {
            throw new IllegalArgumentException("an Arweave id is 43 base64url characters, not '" + moduleId + "'");
        }
        this.source = URI.create(gateway.toString().replaceAll("/+$", "") + "/raw/" + moduleId);
        this.moduleId = moduleId;
        this.localSha256 = Sha256.hex(localModule);
        this.timeout = timeout;
        this.maxBytes = maxBytes;
        this.clock = clock;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NORMAL).build();
        this.lastResult = new ModuleDrift(ModuleDrift.Status.NOT_CHECKED, moduleId, localSha256, null, null,
            hasModule ? "not checked yet" : "no module id: registry.lua-module-id is empty and lua/deployments.json "
                + "lists no deployment");
        if (!hasModule) {
            LOG.info("Lua module drift check off: no module id to compare (registry.lua-module-id, lua/deployments.json)");
            return;
        }
        Gauge.builder(GAUGE, this, check -> check.gaugeValue)
            .description("1 when the Lua module on Arweave differs from the gateway's, 0 when they match")
            .tag("module", moduleId)
            .tag("gateway", gateway.getHost() == null ? gateway.toString() : gateway.getHost())
            .strongReference(true)
            .register(meters);
    }

    /** Fetches the published module and compares; answers (and keeps) the result. */
    public ModuleDrift check() {
        if (!hasModule) {
            return lastResult;
        }
        ModuleDrift result;
        try {
            result = compare(fetch());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            result = unreachable("interrupted while fetching " + source);
        } catch (IOException | RuntimeException e) {
            result = unreachable(source + " unreachable: " + e);
        }
        lastResult = result;
        return result;
    }

    public ModuleDrift lastResult() {
        return lastResult;
    }

    /** The last check's outcome, for the readiness details; empty until a check has run (or when none can, or the route is off). */
    public Optional<ModuleDrift> lastCheck() {
        return lastResult.checkedAt() == null ? Optional.empty() : Optional.of(lastResult);
    }

    private HttpResponse<byte[]> fetch() throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(source).timeout(timeout).GET().build(),
            BoundedBody.handler(maxBytes));
    }

    private ModuleDrift compare(HttpResponse<byte[]> response) {
        if (response.statusCode() != 200) {
            return unreachable(source + " answered HTTP " + response.statusCode());
        }
        String remoteSha256 = Sha256.hex(response.body());
        if (remoteSha256.equals(localSha256)) {
            gaugeValue = 0;
            return new ModuleDrift(ModuleDrift.Status.OK, moduleId, localSha256, remoteSha256, clock.instant(),
                "Arweave serves the local module");
        }
        gaugeValue = 1;
        LOG.warn("Lua module drift: {} serves sha256 {} ({} bytes) but the gateway runs sha256 {}; nodes loading "
            + "module={} run other code than the gateway", source, remoteSha256, response.body().length, localSha256,
            moduleId);
        return new ModuleDrift(ModuleDrift.Status.DRIFT, moduleId, localSha256, remoteSha256, clock.instant(),
            "Arweave serves other bytes than the local module");
    }

    private ModuleDrift unreachable(String detail) {
        return new ModuleDrift(ModuleDrift.Status.UNREACHABLE, moduleId, localSha256, null, clock.instant(), detail);
    }
}

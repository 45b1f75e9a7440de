package com.permamind.gateway.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;

import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A local stand-in for the gateway's upstreams, a HyperBEAM node, an AO compute unit and a
 * messenger unit, over a registry process whose state starts from a state file, with faults that
 * can be switched at run time. Signed messages (HyperBEAM push, the messenger unit) change the
 * process's live state, which a dryrun sees; the node serves what the process last patched.
 *
 * <p>The blocking methods are meant for test threads; do not call them on a Vert.x event loop.
 */
public final class RegistrySimulator implements AutoCloseable {

    private final SimulatorConfig config;
    private final ObjectMapper mapper = new ObjectMapper();
    private final SkillsSnapshot snapshot;
    private final ProcessState state;
    private final MessageIntake intake;
    private final Map<Upstream, CallLog> callLogs = new EnumMap<>(Upstream.class);
    private final Map<Upstream, UpstreamFaults> faults = new EnumMap<>(Upstream.class);
    private final Map<Upstream, UpstreamServer> servers = new EnumMap<>(Upstream.class);
    private final DryRunLimits dryRunLimits;
    private final NodeRulesSwitch nodeRules;
    private volatile Long pinnedNow;
    private Vertx vertx;

    public RegistrySimulator(SimulatorConfig config) {
        this.config = config;
        this.snapshot = SkillsSnapshot.load(config.stateFile(), mapper);
        this.dryRunLimits = new DryRunLimits(config.computeUnitLimits(), System::nanoTime);
        if (config.nowFromStateFile()) {
            pinNow(snapshot.now().orElseThrow(() ->
                    new IllegalArgumentException(config.stateFile() + " has no \"now\" to pin the clock to")));
        }
        config.pinnedNow().ifPresent(this::pinNow);
        this.nodeRules = new NodeRulesSwitch(config.nodeRules());
        this.state = new ProcessState(snapshot, mapper);
        this.intake = new MessageIntake(config.processId(), state, this::now);
    }

    public RegistrySimulator start() {
        LuaReads lua = config.luaModule().orElseGet(() -> ProjectLuaModule.load(state::patched, config.luaState(),
                config.nodeLua()));
        vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2).setWorkerPoolSize(2));
        UnorderedJson luaJson = new UnorderedJson(mapper, config.orderSeed());
        RegistryProcess process = new RegistryProcess(state, mapper, config.stablePairsOrder()
                ? PairsOrder.stable(config.orderSeed()) : PairsOrder.perEvaluation(config.orderSeed()));
        Future<Void> hyperbeam = startUpstream(Upstream.HYPERBEAM, config.hyperbeamPort(),
                new HyperBeamProtocol(vertx, config.processId(), config.moduleId(), lua, state::patched,
                        new MessagePush(config.processId(), intake), mapper, nodeRules));
        Future<Void> computeUnit = startUpstream(Upstream.COMPUTE_UNIT, config.computeUnitPort(),
                new ComputeUnitProtocol(vertx, config.processId(), process, new DryRunReplies(mapper, luaJson), this::now,
                        dryRunLimits, mapper));
        Future<Void> messengerUnit = startUpstream(Upstream.MESSENGER_UNIT, config.messengerUnitPort(),
                new MessengerUnitProtocol(intake));
        await(Future.all(hyperbeam, computeUnit, messengerUnit).mapEmpty());
        return this;
    }

    private Future<Void> startUpstream(Upstream upstream, int port, UpstreamProtocol protocol) {
        UpstreamServer server = new UpstreamServer(vertx, config.host());
        servers.put(upstream, server);
        callLogs.put(upstream, new CallLog());
        faults.put(upstream, new UpstreamFaults(server));
        return server.start(port, new AdminEndpoint(upstream, faults, callLogs, nodeRules, this, mapper), callLogs.get(upstream),
                new FaultResponder(vertx, upstream, faults.get(upstream)), protocol);
    }

    /** Closes both ports and every open connection, hung ones included. */
    public void stop() {
        if (vertx != null) {
            await(vertx.close());
            vertx = null;
        }
    }

    @Override
    public void close() {
        stop();
    }

    public String hyperbeamUrl() {
        return servers.get(Upstream.HYPERBEAM).url();
    }

    public String cuUrl() {
        return servers.get(Upstream.COMPUTE_UNIT).url();
    }

    public String muUrl() {
        return servers.get(Upstream.MESSENGER_UNIT).url();
    }

    public String processId() {
        return config.processId();
    }

    public String moduleId() {
        return config.moduleId();
    }

    public UpstreamFaults faults(Upstream upstream) {
        return faults.get(upstream);
    }

    public long calls(Upstream upstream, String function) {
        return callLogs.get(upstream).calls(function);
    }

    public Map<String, Long> calls(Upstream upstream) {
        return callLogs.get(upstream).callsByFunction();
    }

    public List<RecordedRequest> requests(Upstream upstream) {
        return callLogs.get(upstream).requests();
    }

    /** The most calls this upstream had in progress at once since the counters were reset. */
    public int mostInFlight(Upstream upstream) {
        return callLogs.get(upstream).mostInFlight();
    }

    /** Both upstreams healthy again, the node's rules as configured, and the counters at zero: what each test starts from. */
    public void reset() {
        for (Upstream upstream : Upstream.values()) {
            faults(upstream).clear();
        }
        dryRunLimits.busy(false);
        dryRunLimits.reset();
        nodeRules(config.nodeRules());
        resetCounters();
    }

    /** Dry-runs the compute unit evaluates for one client address a minute; 0 = no limit. */
    public int computeUnitLimitPerMinute() {
        DryRunLimits.Settings limits = dryRunLimits.settings();
        return limits.perWindow() == 0 ? 0 : (int) Math.round(limits.perWindow() * 60.0 / limits.window().toSeconds());
    }

    /** The compute unit answers 202 (evaluation in progress) to every dry-run it has no cached result for. */
    public void computeUnitBusy(boolean busy) {
        dryRunLimits.busy(busy);
    }

    /** The compute unit forgets its per-address counts and cached results, as after a restart. */
    public void resetComputeUnitLimits() {
        dryRunLimits.reset();
    }

    public NodeRules nodeRules() {
        return nodeRules.current();
    }

    /** Switches the node's rules; its rate limiter starts counting afresh. */
    public void nodeRules(NodeRules rules) {
        nodeRules.switchTo(rules);
    }

    /** Forgets the calls and requests of every upstream, and the log of messages taken. */
    public void resetCounters() {
        callLogs.values().forEach(CallLog::reset);
        intake.reset();
    }

    /**
     * The signed messages the process took (HyperBEAM push and messenger unit alike) since the
     * counters were reset; refused ones, repeats included, are not among them.
     */
    public List<ReceivedMessage> messages() {
        return intake.taken();
    }

    /** Called with each message the process takes, on the thread that took it (an event loop: be quick). */
    public void onMessage(Consumer<ReceivedMessage> listener) {
        intake.onTaken(listener);
    }

    /**
     * A version's download count in the process's live state (what a dryrun reads); the latest
     * version when {@code version} is null; -1 for an unknown skill or version.
     */
    public int downloadCount(String name, String version) {
        JsonNode entry = state.live().get(name);
        if (entry == null) {
            return -1;
        }
        JsonNode record = entry.path("versions")
                .get(version == null ? entry.path("latest").asText() : version);
        return record == null ? -1 : record.path("downloadTimestamps").size();
    }

    /** Register-Skill as the process handles it: the record becomes its skill's latest, then the process patches. */
    public void registerSkill(ObjectNode record) {
        state.registerSkill(record, now());
    }

    /** Update-Skill as the process handles it: the version's record replaced, its downloads reset, then a patch. */
    public void updateSkill(ObjectNode record) {
        state.updateSkill(record, now());
    }

    /** Fixes the compute unit's clock, which decides the 7- and 30-day download windows. */
    public void pinNow(long nowMillis) {
        pinnedNow = nowMillis;
    }

    public void useSystemClock() {
        pinnedNow = null;
    }

    long now() {
        Long pinned = pinnedNow;
        return pinned == null ? System.currentTimeMillis() : pinned;
    }

    private static void await(Future<Void> future) {
        future.toCompletionStage().toCompletableFuture().join();
    }

    public static void main(String[] args) {
        SimulatorConfig config = SimulatorSettings.from(args, System.getProperties(), System.getenv()).toConfig();
        RegistrySimulator simulator = new RegistrySimulator(config).start();
        Runtime.getRuntime().addShutdownHook(new Thread(simulator::stop, "registry-simulator-stop"));
        System.out.println("registry simulator over " + config.stateFile());
        System.out.println("  HyperBEAM     " + simulator.hyperbeamUrl() + "/" + simulator.processId()
                + "~process@1.0/compute/~lua@5.3a&module=" + simulator.moduleId() + "/{function}/serialize~json@1.0");
        System.out.println("  compute unit  " + simulator.cuUrl() + "/dry-run?process-id=" + simulator.processId());
        System.out.println("  push          " + simulator.hyperbeamUrl() + "/" + simulator.processId() + "~process@1.0/push");
        System.out.println("  messenger     " + simulator.muUrl() + "/");
        System.out.println("  admin         {url}" + AdminEndpoint.PREFIX + "/faults, " + AdminEndpoint.PREFIX + "/calls, "
                + AdminEndpoint.PREFIX + "/skills");
    }
}

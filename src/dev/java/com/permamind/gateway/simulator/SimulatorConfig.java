package com.permamind.gateway.simulator;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * How to run a {@link RegistrySimulator}. Build it with {@link #builder(Path)}; everything but the
 * state file has a default.
 *
 * @param pinnedNow        the compute unit's clock, if pinned; otherwise the real clock
 * @param nowFromStateFile pin the compute unit's clock to the state file's {@code now}
 * @param orderSeed        seeds the emulated Lua {@code pairs} order and JSON key order of dryrun replies
 * @param luaModule        a replacement for the project's Lua module, if any
 * @param computeUnitLimits the compute unit's per-address dry-run limit and result cache
 * @param stablePairsOrder  the process walks its tables in one order for its whole life; false (the
 *                          default, as on a real compute unit): another order for every evaluation
 * @param nodeLua          whose Lua the node runs the project's module with (Luerl 1.3.0's, as real nodes)
 * @param nodeRules        the node's limit, payment and {@code now} cost at start
 */
public record SimulatorConfig(Path stateFile, String processId, String moduleId, String host,
                              int hyperbeamPort, int computeUnitPort, int messengerUnitPort, LuaStateMode luaState,
                              OptionalLong pinnedNow, boolean nowFromStateFile, long orderSeed,
                              Optional<LuaReads> luaModule, DryRunLimits.Settings computeUnitLimits,
                              boolean stablePairsOrder, LuaSemantics nodeLua, NodeRules nodeRules) {

    /** The Permamind production registry process (contract §7). */
    public static final String DEFAULT_PROCESS_ID = "afj-S1wpWK07iSs9jIttoPJsptf4Db6ubZ_CLODdEpQ";
    /** Stands for the Arweave transaction of the published Lua module; 43 characters like a real one. */
    public static final String DEFAULT_MODULE_ID = "LuaRegistryReadModuleForTheSimulator-0001aa";
    public static final long DEFAULT_ORDER_SEED = 20251122L;

    public SimulatorConfig {
        Objects.requireNonNull(stateFile, "stateFile");
        Objects.requireNonNull(processId, "processId");
        Objects.requireNonNull(moduleId, "moduleId");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(luaState, "luaState");
        Objects.requireNonNull(computeUnitLimits, "computeUnitLimits");
        Objects.requireNonNull(nodeLua, "nodeLua");
        Objects.requireNonNull(nodeRules, "nodeRules");
        if (nowFromStateFile && pinnedNow.isPresent()) {
            throw new IllegalArgumentException("pin the clock either to a value or to the state file, not both");
        }
    }

    public static Builder builder(Path stateFile) {
        return new Builder(stateFile);
    }

    public static final class Builder {
        private final Path stateFile;
        private String processId = DEFAULT_PROCESS_ID;
        private String moduleId = DEFAULT_MODULE_ID;
        private String host = "127.0.0.1";
        private int hyperbeamPort;
        private int computeUnitPort;
        private int messengerUnitPort;
        private LuaStateMode luaState = LuaStateMode.JSON_STRING;
        private OptionalLong pinnedNow = OptionalLong.empty();
        private boolean nowFromStateFile;
        private long orderSeed = DEFAULT_ORDER_SEED;
        private LuaReads luaModule;
        private DryRunLimits.Settings computeUnitLimits = DryRunLimits.Settings.REAL;
        private boolean stablePairsOrder;
        private LuaSemantics nodeLua = LuaSemantics.LUERL_1_3;
        private NodeRules nodeRules = NodeRules.DEFAULT;

        private Builder(Path stateFile) {
            this.stateFile = stateFile;
        }

        public Builder processId(String processId) {
            this.processId = processId;
            return this;
        }

        public Builder moduleId(String moduleId) {
            this.moduleId = moduleId;
            return this;
        }

        public Builder host(String host) {
            this.host = host;
            return this;
        }

        /** 0 (the default) picks a free port. */
        public Builder hyperbeamPort(int port) {
            this.hyperbeamPort = port;
            return this;
        }

        /** 0 (the default) picks a free port. */
        public Builder computeUnitPort(int port) {
            this.computeUnitPort = port;
            return this;
        }

        /** 0 (the default) picks a free port. */
        public Builder messengerUnitPort(int port) {
            this.messengerUnitPort = port;
            return this;
        }

        public Builder luaState(LuaStateMode luaState) {
            this.luaState = luaState;
            return this;
        }

        public Builder pinNow(long nowMillis) {
            this.pinnedNow = OptionalLong.of(nowMillis);
            this.nowFromStateFile = false;
            return this;
        }

        public Builder pinNowToStateFile() {
            this.nowFromStateFile = true;
            this.pinnedNow = OptionalLong.empty();
            return this;
        }

        public Builder orderSeed(long seed) {
            this.orderSeed = seed;
            return this;
        }

        public Builder luaModule(LuaReads module) {
            this.luaModule = module;
            return this;
        }

        /** The compute unit's limits; {@link DryRunLimits.Settings#REAL} unless set. */
        public Builder computeUnitLimits(DryRunLimits.Settings limits) {
            this.computeUnitLimits = limits;
            return this;
        }

        public Builder stablePairsOrder(boolean stable) {
            this.stablePairsOrder = stable;
            return this;
        }

        public Builder nodeLua(LuaSemantics semantics) {
            this.nodeLua = semantics;
            return this;
        }

        public Builder nodeRules(NodeRules rules) {
            this.nodeRules = rules;
            return this;
        }

        public SimulatorConfig build() {
            return new SimulatorConfig(stateFile, processId, moduleId, host, hyperbeamPort, computeUnitPort, messengerUnitPort,
                    luaState, pinnedNow, nowFromStateFile, orderSeed, Optional.ofNullable(luaModule),
                    computeUnitLimits, stablePairsOrder, nodeLua, nodeRules);
        }
    }
}

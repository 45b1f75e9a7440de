package com.permamind.gateway.simulator;

import com.permamind.gateway.lua.RegistryModule;
import com.permamind.gateway.lua.RegistryState;

import java.util.Map;
import java.util.function.Supplier;

/**
 * The project's own Lua module (lua/registry.lua) through the luaj bridge, fed the state as the node
 * would: what the process last patched, so a Register-Skill shows and a Record-Download does not; run
 * with the node's Lua semantics ({@link LuaSemantics}).
 */
final class ProjectLuaModule implements LuaReads {

    private final RegistryModule module;
    private final Supplier<SkillsSnapshot> patched;
    private final LuaStateMode mode;
    // decoded once per patch
    private volatile Decoded decoded;

    private ProjectLuaModule(RegistryModule module, Supplier<SkillsSnapshot> patched, LuaStateMode mode) {
        this.module = module;
        this.patched = patched;
        this.mode = mode;
    }

    static ProjectLuaModule load(Supplier<SkillsSnapshot> patched, LuaStateMode mode, LuaSemantics semantics) {
        return of(RegistryModule.load(), patched, mode, semantics);
    }

    /** {@code module}, run with the node's Lua semantics: what tests use to run another module as the node would. */
    static ProjectLuaModule of(RegistryModule base, Supplier<SkillsSnapshot> patched, LuaStateMode mode,
            LuaSemantics semantics) {
        return new ProjectLuaModule(base.withRuntime(semantics.runtime()), patched, mode);
    }

    @Override
    public boolean hasFunction(String function) {
        return module.hasFunction(function);
    }

    @Override
    public String call(String function, Map<String, String> request) {
        SkillsSnapshot state = patched.get();
        if (mode != LuaStateMode.DECODED) {
            return module.callWithJsonState(function, state.skillsJson(), request);
        }
        Decoded current = decoded;
        if (current == null || current.snapshot != state) {
            current = new Decoded(state, module.decode(state.skillsJson()));
            decoded = current;
        }
        return module.call(function, current.state, request);
    }

    private record Decoded(SkillsSnapshot snapshot, RegistryState state) {
    }
}

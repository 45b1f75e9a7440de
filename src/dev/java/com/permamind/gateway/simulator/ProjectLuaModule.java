package com.permamind.gateway.simulator;

import com.permamind.gateway.lua.RegistryModule;
import com.permamind.gateway.lua.RegistryState;

import java.util.Map;

/**
 * The project's own Lua module (lua/registry.lua) through the luaj bridge, fed the state as the node
 * would, with the node's Lua semantics ({@link LuaSemantics}).
 */
final class ProjectLuaModule implements LuaReads {

    private final RegistryModule module;
    private final String skillsJson;
    private final RegistryState decoded;

    private ProjectLuaModule(RegistryModule module, String skillsJson, RegistryState decoded) {
        this.module = module;
        this.skillsJson = skillsJson;
        this.decoded = decoded;
    }

    static ProjectLuaModule load(SkillsSnapshot snapshot, LuaStateMode mode, LuaSemantics semantics) {
        return of(RegistryModule.load(), snapshot, mode, semantics);
    }

    /** {@code module}, run with the node's Lua semantics: what tests use to run another module as the node would. */
    static ProjectLuaModule of(RegistryModule base, SkillsSnapshot snapshot, LuaStateMode mode, LuaSemantics semantics) {
        RegistryModule module = base.withRuntime(semantics.runtime());
        RegistryState decoded = mode == LuaStateMode.DECODED ? module.decode(snapshot.skillsJson()) : null;
        return new ProjectLuaModule(module, snapshot.skillsJson(), decoded);
    }

    @Override
    public boolean hasFunction(String function) {
        return module.hasFunction(function);
    }

    @Override
    public String call(String function, Map<String, String> request) {
        return decoded != null
                ? module.call(function, decoded, request)
                : module.callWithJsonState(function, skillsJson, request);
    }
}

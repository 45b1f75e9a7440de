package com.permamind.gateway.lua;

import org.luaj.vm2.LuaTable;

/**
 * A registry state decoded once into Lua tables and prepared by the module, so that any number
 * of threads can query it without decoding or writing to it again.
 */
public final class RegistryState {

    private final LuaTable base;
    private final int skillCount;

    RegistryState(LuaTable base, int skillCount) {
        this.base = base;
        this.skillCount = skillCount;
    }

    LuaTable base() {
        return base;
    }

    public int skillCount() {
        return skillCount;
    }
}

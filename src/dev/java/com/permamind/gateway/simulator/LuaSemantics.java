package com.permamind.gateway.simulator;

import java.util.Arrays;
import java.util.function.Consumer;
import org.luaj.vm2.Globals;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.lib.VarArgFunction;

/**
 * Whose Lua the simulated node runs the module with. Real nodes run Luerl 1.3.0 (contract §3),
 * whose {@code pcall} hands back {@code tostring(value)} for an error value that is not a string:
 * {@code error({...})} arrives as {@code "table: 36"}. luaj hands back a table, as Lua 5.3 and
 * Luerl 1.0 do, so a module relying on that passes under luaj and fails on every node.
 */
public enum LuaSemantics {
    /** {@code pcall} as Luerl 1.3.0's: what nodes do. */
    LUERL_1_3("luerl-1.3", LuaSemantics::stringifyPcallErrors),
    /**
     * luaj as the gateway runs it: a table error value comes back as the table, as in Lua 5.3 and
     * Luerl 1.0 (a number comes back as a string, luaj's own way).
     */
    LUAJ("luaj", globals -> { });

    private final String id;
    private final Consumer<Globals> runtime;

    LuaSemantics(String id, Consumer<Globals> runtime) {
        this.id = id;
        this.runtime = runtime;
    }

    public String id() {
        return id;
    }

    /** Changes a luaj runtime, before the module loads, to behave as this Lua does. */
    Consumer<Globals> runtime() {
        return runtime;
    }

    public static LuaSemantics fromId(String id) {
        return Arrays.stream(values()).filter(semantics -> semantics.id.equals(id)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown Lua '" + id + "', expected luerl-1.3 or luaj"));
    }

    private static void stringifyPcallErrors(Globals globals) {
        LuaValue pcall = globals.get("pcall");
        LuaValue tostring = globals.get("tostring");
        globals.set("pcall", new VarArgFunction() {
            @Override
            public Varargs invoke(Varargs args) {
                Varargs result = pcall.invoke(args);
                LuaValue error = result.arg(2);
                if (result.arg1().toboolean() || error.type() == LuaValue.TSTRING) {
                    return result;
                }
                return LuaValue.varargsOf(LuaValue.FALSE, tostring.call(error));
            }
        });
    }
}

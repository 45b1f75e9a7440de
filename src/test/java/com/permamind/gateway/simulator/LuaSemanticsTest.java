package com.permamind.gateway.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.permamind.gateway.lua.ExternalLua;
import com.permamind.gateway.lua.ExternalLua.Interpreter;
import com.permamind.gateway.lua.ExternalLua.Vector;
import com.permamind.gateway.lua.RegistryModule;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The simulated node's Lua gives what the Lua it stands for gives, checked against that Lua itself. */
class LuaSemanticsTest {

    // What pcall hands back for each kind of error value; a table's address is left out.
    private static final String MODULE = """
            _G["pcall-errors"] = function(base, req)
              local seen = {}
              for i, value in ipairs({ {}, 42, 4.5, "text", true }) do
                local ok, raised = pcall(error, value, 0)
                local text = tostring(raised)
                if string.find(text, "table: ", 1, true) == 1 then text = "table: N" end
                seen[i] = type(raised) .. "=" .. text
              end
              return { ok = true, data = seen }
            end
            """;

    @TempDir
    Path dir;

    @Test
    void should_hand_back_every_error_value_as_luerl_1_3_does() throws IOException {
        assertEquals(real(Interpreter.LUERL_1_3), simulated(LuaSemantics.LUERL_1_3));
    }

    // luaj hands back a number as a string already, unlike both: only the table matters to a module
    @ParameterizedTest
    @EnumSource(value = Interpreter.class, names = {"LUA53", "LUERL_1_0"})
    void should_hand_back_a_table_error_value_as_the_gateways_luaj_and_the_other_luas_do(Interpreter interpreter)
            throws IOException {
        assertEquals(first(real(interpreter)), first(simulated(LuaSemantics.LUAJ)));
        assertEquals("table=table: N", first(simulated(LuaSemantics.LUAJ)));
    }

    private String simulated(LuaSemantics semantics) throws IOException {
        return RegistryModule.load(module()).withRuntime(semantics.runtime()).callWithJsonState("pcall-errors", "{}", Map.of());
    }

    private String real(Interpreter interpreter) throws IOException {
        ExternalLua.assumeAvailable(interpreter);
        return ExternalLua.run(interpreter, module(), "{}", List.of(new Vector("pcall-errors", Map.of()))).get(0);
    }

    private Path module() throws IOException {
        return Files.writeString(dir.resolve("pcall-errors.lua"), MODULE);
    }

    private static String first(String answer) throws IOException {
        return SimulatorTestSupport.MAPPER.readTree(answer).at("/data/0").asText();
    }
}

package com.permamind.gateway.lua;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.permamind.gateway.lua.ExternalLua.Interpreter;
import com.permamind.gateway.lua.ExternalLua.Vector;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The harness itself, with a throwaway module standing in for lua/registry.lua. */
class ExternalLuaTest {

    // ASCII source with \ddd escapes, as the contract requires of the real module.
    private static final String MODULE = """
        local ARRAY = { __jsonarray = true }
        _G["shapes"] = function(base, req, opts)
          return { ok = true, data = { tags = setmetatable({}, ARRAY), meta = {}, plain = { 1, 2 },
            versions = setmetatable({ "1.0.0", "0.9.0" }, ARRAY),
            owner = { name = "x", links = setmetatable({}, ARRAY) } } }
        end
        _G["numbers"] = function(base, req, opts)
          return { ok = true, data = { publishedAt = 1763769600000, fromFloat = 1763769600000.0,
            parsed = tonumber("10"), negative = -3 } }
        end
        _G["echo"] = function(base, req, opts)
          return { ok = true, data = { q = req.q, name = req.name, skillsBytes = #base.skills } }
        end
        _G["literals"] = function(base, req, opts)
          return { ok = true, data = "caf\\195\\169 \\240\\159\\147\\132 \\"q\\" back\\\\slash\\ttab\\nline\\7bell" }
        end
        _G["not-found"] = function(base, req, opts)
          return { ok = false, error = { kind = "not_found", message = "Skill '" .. req.name .. "' not found" } }
        end
        _G["fails"] = function(base, req, opts)
          error("boom")
        end
        _G["unusual-numbers"] = function(base, req, opts)
          return { 0.1, 1 / 3, 1e-7, 0.000123, 2.5e300, 1e21, -0.75, 123456.789, 2 ^ 53 + 2, -0.0 }
        end
        _G["every-ascii-byte"] = function(base, req, opts)
          local bytes = {}
          for byte = 0, 127 do bytes[#bytes + 1] = string.char(byte) end
          return { [table.concat(bytes)] = table.concat(bytes) }
        end
        _G["sparse"] = function(base, req, opts)
          return { [1] = "a", [3] = "c" }
        end
        _G["divides-by-zero"] = function(base, req, opts)
          return 1 / 0
        end
        """;

    private static final String SKILLS_JSON = "{\"caf\u00e9\":{\"latest\":\"1.0.0\"}}";

    private static final List<Vector> VECTORS = List.of(
        new Vector("shapes", Map.of()),
        new Vector("numbers", Map.of()),
        new Vector("echo", Map.of("q", "caf\u00e9 \uD83D\uDCC4", "name", "a\"b\\c\n")),
        new Vector("literals", Map.of()),
        new Vector("not-found", Map.of("name", "nope")),
        new Vector("fails", Map.of()),
        new Vector("missing", Map.of()));

    private static final List<String> EXPECTED = List.of(
        "{\"data\":{\"meta\":{},\"owner\":{\"links\":[],\"name\":\"x\"},\"plain\":[1,2],\"tags\":[],"
            + "\"versions\":[\"1.0.0\",\"0.9.0\"]},\"ok\":true}",
        "{\"data\":{\"fromFloat\":1763769600000,\"negative\":-3,\"parsed\":10,\"publishedAt\":1763769600000},\"ok\":true}",
        "{\"data\":{\"name\":\"a\\\"b\\\\c\\n\",\"q\":\"caf\u00e9 \uD83D\uDCC4\",\"skillsBytes\":"
            + SKILLS_JSON.getBytes(UTF_8).length + "},\"ok\":true}",
        "{\"data\":\"caf\u00e9 \uD83D\uDCC4 \\\"q\\\" back\\\\slash\\ttab\\nline\\u0007bell\",\"ok\":true}",
        "{\"error\":{\"kind\":\"not_found\",\"message\":\"Skill 'nope' not found\"},\"ok\":false}",
        "{\"luaerror\":\"boom\"}",
        "{\"luaerror\":\"the module has no function missing\"}");

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(Interpreter.class)
    void should_render_each_vector_as_one_canonical_json_line(Interpreter interpreter) throws IOException {
        ExternalLua.assumeAvailable(interpreter);

        assertEquals(EXPECTED, ExternalLua.run(interpreter, module(MODULE), SKILLS_JSON, VECTORS));
    }

    @ParameterizedTest
    @EnumSource(value = Interpreter.class, names = {"LUERL_1_0", "LUERL_1_3"})
    void should_give_lua53s_lines_under_luerl_for_what_the_module_rarely_returns(Interpreter luerl) throws IOException {
        ExternalLua.assumeAvailable(Interpreter.LUA53);
        ExternalLua.assumeAvailable(luerl);
        List<Vector> vectors = List.of(
            new Vector("unusual-numbers", Map.of()),
            new Vector("every-ascii-byte", Map.of()),
            new Vector("sparse", Map.of()));
        Path module = module(MODULE);

        List<String> lua53 = ExternalLua.run(Interpreter.LUA53, module, SKILLS_JSON, vectors);

        assertEquals(lua53, ExternalLua.run(luerl, module, SKILLS_JSON, vectors));
        assertEquals("[0.1,0.3333333333333333,1e-7,0.000123,2.5e+300,1e+21,-0.75,123456.789,9007199254740994,0]",
            lua53.get(0));
        assertEquals("{\"luaerror\":\"canonical-json: an object key is a number\"}", lua53.get(2));
    }

    @ParameterizedTest
    @EnumSource(Interpreter.class)
    void should_fail_with_the_interpreters_message_when_the_module_does_not_compile(Interpreter interpreter)
        throws IOException {
        ExternalLua.assumeAvailable(interpreter);
        Path module = module("x = = 1\n");

        IllegalStateException failure = assertThrows(IllegalStateException.class,
            () -> ExternalLua.run(interpreter, module, SKILLS_JSON, VECTORS));

        assertTrue(failure.getMessage().contains("exited with"), failure.getMessage());
        assertTrue(failure.getMessage().contains("module.lua:1:"), failure.getMessage());
    }

    // Luerl 1.0 raises badarith past pcall: a node answers HTTP 500 there, the harness fails.
    @Test
    void should_name_the_vector_when_luerl_crashes_past_pcall() throws IOException {
        ExternalLua.assumeAvailable(Interpreter.LUERL_1_0);
        List<Vector> vectors = List.of(new Vector("shapes", Map.of()), new Vector("divides-by-zero", Map.of()));

        IllegalStateException failure = assertThrows(IllegalStateException.class,
            () -> ExternalLua.run(Interpreter.LUERL_1_0, module(MODULE), SKILLS_JSON, vectors));

        assertTrue(failure.getMessage().contains("after 1 of 2 vectors: Luerl crashed in vector 2: badarith"),
            failure.getMessage());
    }

    private Path module(String source) throws IOException {
        return Files.writeString(dir.resolve("module.lua"), source, UTF_8);
    }
}

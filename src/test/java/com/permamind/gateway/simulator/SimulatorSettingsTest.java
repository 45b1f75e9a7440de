package com.permamind.gateway.simulator;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How the stand-alone simulator reads its command line, system properties and environment. */
class SimulatorSettingsTest {

    @Test
    void should_default_to_the_fixture_named_by_the_environment_and_free_ports() {
        SimulatorConfig config = SimulatorSettings.from(new String[0], new Properties(),
                Map.of("REGISTRY_FIXTURE", "/tmp/state.json")).toConfig();

        assertEquals(Path.of("/tmp/state.json"), config.stateFile());
        assertEquals(0, config.hyperbeamPort());
        assertEquals(0, config.computeUnitPort());
        assertEquals(SimulatorConfig.DEFAULT_PROCESS_ID, config.processId());
        assertEquals(LuaStateMode.JSON_STRING, config.luaState());
        assertTrue(config.pinnedNow().isEmpty());
    }

    @Test
    void should_let_arguments_override_system_properties() {
        Properties properties = new Properties();
        properties.setProperty("simulator.hyperbeam.port", "8734");
        properties.setProperty("simulator.cu.port", "6363");
        properties.setProperty("simulator.lua.state", "decoded");

        SimulatorConfig config = SimulatorSettings.from(new String[] {"--cu.port=6364", "--now=1763769600000",
                "--module.id=OtherModule", "--state=state.json"}, properties, Map.of()).toConfig();

        assertEquals(8734, config.hyperbeamPort());
        assertEquals(6364, config.computeUnitPort());
        assertEquals(LuaStateMode.DECODED, config.luaState());
        assertEquals(OptionalLong.of(1_763_769_600_000L), config.pinnedNow());
        assertEquals("OtherModule", config.moduleId());
        assertEquals(Path.of("state.json"), config.stateFile());
    }

    @Test
    void should_set_the_nodes_lua_and_rules() {
        SimulatorConfig config = SimulatorSettings.from(new String[] {"--hyperbeam.lua=luaj",
                "--hyperbeam.price=7", "--hyperbeam.requests-per-window=30", "--hyperbeam.window-millis=60000"},
                new Properties(), Map.of()).toConfig();
        SimulatorConfig defaults = SimulatorSettings.from(new String[0], new Properties(), Map.of()).toConfig();

        assertEquals(LuaSemantics.LUAJ, config.nodeLua());
        assertEquals(new NodeRules(7, 0, 30, 60_000, NodeRules.DEFAULT.nowLatencyMillis()), config.nodeRules());
        assertEquals(LuaSemantics.LUERL_1_3, defaults.nodeLua());
        assertEquals(NodeRules.DEFAULT, defaults.nodeRules());
    }

    @Test
    void should_pin_the_clock_to_the_state_file_on_request() {
        SimulatorConfig config = SimulatorSettings.from(new String[] {"--now=state"}, new Properties(), Map.of()).toConfig();

        assertTrue(config.nowFromStateFile());
    }

    @Test
    void should_reject_an_argument_that_is_not_key_value() {
        assertThrows(IllegalArgumentException.class,
                () -> SimulatorSettings.from(new String[] {"state.json"}, new Properties(), Map.of()));
    }
}

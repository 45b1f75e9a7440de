/**
 * The registry simulator: a local HyperBEAM node and AO compute unit over a registry state file,
 * for tests, the demo and benchmarks. It lives in {@code src/dev}, so it never ships in the gateway jar.
 *
 * <ul>
 *   <li>HyperBEAM ({@link com.permamind.gateway.simulator.HyperBeamProtocol}): dynamic reads run the
 *   project's own {@code lua/registry.lua} through the luaj bridge, given {@code base.skills} as the
 *   JSON string by default, as the node does ({@link com.permamind.gateway.simulator.LuaStateMode}),
 *   with Luerl 1.3.0's {@code pcall} ({@link com.permamind.gateway.simulator.LuaSemantics}); HTML
 *   error pages, and a paid node's 402, its own per-address limit (429) and the cost of a {@code now}
 *   read as its {@link com.permamind.gateway.simulator.NodeRules} say ({@code /__admin/node}).</li>
 *   <li>Compute unit ({@link com.permamind.gateway.simulator.ComputeUnitProtocol}): the deployed
 *   registry process's read handlers written again in Java, independently of the Lua module, so the
 *   two gateway tiers are checked against two implementations.</li>
 *   <li>Faults ({@link com.permamind.gateway.simulator.Fault}) switch per upstream from the Java handle
 *   or {@code /__admin/faults} ({@link com.permamind.gateway.simulator.AdminEndpoint}).</li>
 * </ul>
 *
 * Run it alone with {@code RegistrySimulator.main} (see {@link com.permamind.gateway.simulator.SimulatorSettings}).
 */
package com.permamind.gateway.simulator;

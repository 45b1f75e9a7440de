/**
 * The registry simulator: a local HyperBEAM node, AO compute unit and messenger unit over a registry
 * process whose state starts from a state file, for tests, the demo and benchmarks. It lives in {@code src/dev}, so it never ships in the gateway jar.
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
 *   <li>The process's state ({@link com.permamind.gateway.simulator.ProcessState}): the live
 *   {@code Skills} a dryrun reads, and the copy it last patched, which the node serves. Signed
 *   messages, pushed to the node or sent to the messenger unit
 *   ({@link com.permamind.gateway.simulator.MessageIntake}), are verified as the network verifies
 *   them, and a Record-Download changes the live state only; Register-Skill and Update-Skill
 *   ({@code /__admin/skills/...}) patch.</li>
 *   <li>Faults ({@link com.permamind.gateway.simulator.Fault}) switch per upstream from the Java handle
 *   or {@code /__admin/faults} ({@link com.permamind.gateway.simulator.AdminEndpoint}).</li>
 * </ul>
 *
 * Run it alone with {@code RegistrySimulator.main} (see {@link com.permamind.gateway.simulator.SimulatorSettings}).
 */
package com.permamind.gateway.simulator;

/**
 * Publishing the registry's Lua module to Arweave and checking what is published.
 *
 * <p>{@link com.permamind.gateway.arweave.LuaModuleDeployer} signs lua/registry.lua as an ANS-104
 * data item ({@link com.permamind.gateway.ans104.DataItem}) with an Arweave wallet, uploads it to a
 * bundler and records it in lua/deployments.json. The gateway reads that log
 * ({@link com.permamind.gateway.arweave.DeploymentLog}) for its default module id and compares the
 * published bytes with its own ({@link com.permamind.gateway.arweave.LuaModuleDriftCheck}).
 */
package com.permamind.gateway.arweave;

/**
 * The registry's Lua module as published on Arweave, seen from the gateway: which id nodes load it
 * by ({@link com.permamind.gateway.arweave.DeploymentLog}, lua/deployments.json: its newest entry is
 * the default module id) and whether those bytes are the gateway's own
 * ({@link com.permamind.gateway.arweave.LuaModuleDriftCheck}, run by routes/lua-module-drift.yaml).
 * Publishing is the deploy tool's (src/deploy, docs/lua-deployment.md), which writes the log.
 */
package com.permamind.gateway.arweave;

/**
 * ANS-104 data items signed with an Arweave wallet (signature type 1): the download messages the
 * gateway sends the registry process ({@code events}). The Lua module deploy tool (src/deploy) signs
 * with it too; nothing here knows about either.
 */
package com.permamind.gateway.ans104;

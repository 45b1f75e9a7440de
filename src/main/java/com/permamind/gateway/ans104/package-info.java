/**
 * ANS-104 data items signed with an Arweave wallet (signature type 1): the format of everything the
 * gateway signs, the Lua module it publishes ({@code arweave}) and the download messages it sends the
 * registry process ({@code events}).
 */
package com.permamind.gateway.ans104;

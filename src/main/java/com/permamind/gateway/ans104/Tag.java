package com.permamind.gateway.ans104;

/** One name/value tag of an Arweave data item. */
public record Tag(String name, String value) {
}

package com.permamind.gateway.arweave;

/** One name/value tag of an Arweave data item. */
public record Tag(String name, String value) {
}

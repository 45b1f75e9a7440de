package com.permamind.gateway.ans104;

/** A wallet file that is missing or unusable; the message names the file and the fault, never key material. */
public final class WalletException extends RuntimeException {

    WalletException(String message) {
        super(message);
    }
}

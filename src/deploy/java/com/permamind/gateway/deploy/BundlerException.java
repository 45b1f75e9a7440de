package com.permamind.gateway.deploy;

/** A bundler that could not be reached or did not accept a data item. */
public final class BundlerException extends Exception {

    BundlerException(String message) {
        super(message);
    }

    BundlerException(String message, Throwable cause) {
        super(message, cause);
    }
}

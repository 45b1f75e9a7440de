package com.permamind.gateway.query;

/** Input the contract refuses; answered 400 before any upstream is called. */
public class BadRequestException extends RuntimeException {

    public BadRequestException(String message) {
        super(message, null, false, false);
    }
}

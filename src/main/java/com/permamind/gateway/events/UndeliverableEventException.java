package com.permamind.gateway.events;

/**
 * A download event that no retry can deliver: malformed, or refused by the registry module as bad
 * input or an unknown skill. The forwarder parks it in the dead-letter topic with this reason.
 */
public class UndeliverableEventException extends RuntimeException {

    public UndeliverableEventException(String reason) {
        super(reason, null, false, false);
    }
}

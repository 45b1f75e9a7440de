package com.permamind.gateway.events;

/** A client posted more download events than its rate limit allows; answered 429. */
public class TooManyDownloadsException extends RuntimeException {

    private final long retryAfterSeconds;

    public TooManyDownloadsException(long retryAfterSeconds) {
        super("too many download events from this client; retry in " + retryAfterSeconds + " s", null, false, false);
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }
}

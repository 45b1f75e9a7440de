package com.permamind.gateway.cache;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/**
 * An answer as it went to a client: status, body bytes (a Vert.x buffer, written to every client
 * as it is), its strong ETag, and when and for how long it is fresh.
 */
record CachedAnswer(int status, String contentType, Buffer body, String etag, String source, long storedAtNanos,
        long ttlNanos) {

    static CachedAnswer of(int status, String contentType, Buffer body, String source, long now, long ttlNanos) {
        return new CachedAnswer(status, contentType, body, etagOf(body), source, now, ttlNanos);
    }

    long ageNanos(long now) {
        return now - storedAtNanos;
    }

    boolean freshAt(long now) {
        return ageNanos(now) < ttlNanos;
    }

    /** Old enough that a hot entry should be refreshed before it expires. */
    boolean dueForRefresh(long now, double refreshAheadFraction) {
        return ageNanos(now) >= ttlNanos * refreshAheadFraction;
    }

    static String etagOf(Buffer body) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(body.getBytes());
            return '"' + Base64.getUrlEncoder().withoutPadding().encodeToString(digest).substring(0, 27) + '"';
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return status + " " + body.toString(StandardCharsets.UTF_8).length() + " bytes from " + source;
    }
}

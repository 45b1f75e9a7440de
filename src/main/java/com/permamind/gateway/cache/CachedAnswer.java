package com.permamind.gateway.cache;

import com.permamind.gateway.answer.RegistryAnswers;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * An answer as it went to a client: status, body bytes (a Vert.x buffer, written to every client
 * as it is), its strong ETag, which upstream gave it and in how long, and when and for how long it
 * is fresh. Or the failure of the upstream read that was to give it: its readers share it, and it
 * is kept for no time ({@code ttlNanos} 0).
 */
public record CachedAnswer(int status, String contentType, Buffer body, String etag, String source, long upstreamNanos,
        long storedAtNanos, long ttlNanos, long staleNanos, Exception failure) {

    /** Where an answer was served from when no upstream was asked for it. */
    public static final String CACHE = "cache";
    /** ... and when it was past its freshness, because no upstream could answer. */
    public static final String STALE = "stale";
    private static final CharSequence X_REGISTRY_SOURCE = HttpHeaders.createOptimized("X-Registry-Source");
    private static final CharSequence SERVER_TIMING = HttpHeaders.createOptimized("Server-Timing");
    private static final CharSequence AGE = HttpHeaders.createOptimized("Age");

    static CachedAnswer of(int status, String contentType, Buffer body, String source, long upstreamNanos, long now,
            long ttlNanos, long staleNanos) {
        return new CachedAnswer(status, contentType, body, etagOf(body), source == null ? "none" : source, upstreamNanos,
                now, ttlNanos, staleNanos, null);
    }

    static CachedAnswer failed(Exception failure, long now) {
        return new CachedAnswer(0, null, null, null, null, 0, now, 0, 0, failure);
    }

    long ageNanos(long now) {
        return now - storedAtNanos;
    }

    boolean freshAt(long now) {
        return ageNanos(now) < ttlNanos;
    }

    /** How long the cache keeps it from {@code now}: while fresh, then while it may be served stale. */
    long keptForNanos(long now) {
        return failure != null ? 0 : Math.max(0, storedAtNanos + ttlNanos + staleNanos - now);
    }

    /** Old enough that a hot entry should be refreshed before it expires. */
    boolean dueForRefresh(long now, double refreshAheadFraction) {
        return ageNanos(now) >= ttlNanos * refreshAheadFraction;
    }

    /**
     * The headers of this answer served from {@code source} at {@code now}: the only list of them,
     * for the route's answers and the cache front's alike.
     */
    public void headers(String source, long now, BiConsumer<CharSequence, CharSequence> header) {
        header.accept(HttpHeaders.CONTENT_TYPE, contentType);
        header.accept(HttpHeaders.ETAG, etag);
        header.accept(X_REGISTRY_SOURCE, source);
        header.accept(HttpHeaders.CACHE_CONTROL, ttlNanos == 0 ? "no-store" : STALE.equals(source) ? "no-cache"
                : "public, max-age=" + Math.max(0, TimeUnit.NANOSECONDS.toSeconds(ttlNanos - ageNanos(now))));
        if (source.equals(this.source)) {
            header.accept(SERVER_TIMING, RegistryAnswers.serverTiming(upstreamNanos, source));
        } else {
            header.accept(AGE, Long.toString(TimeUnit.NANOSECONDS.toSeconds(ageNanos(now))));
        }
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
        return failure != null ? "failed: " + failure
                : status + " " + body.toString(StandardCharsets.UTF_8).length() + " bytes from " + source;
    }
}

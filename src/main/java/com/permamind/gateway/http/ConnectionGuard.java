package com.permamind.gateway.http;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What one client's connections may hold of the API's server, beside Vert.x's idle timeout:
 * <ul>
 * <li>at most {@code gateway.max-connections} open at once: one more is closed as it is accepted;</li>
 * <li>a new connection's first request must arrive within {@code gateway.request-read-timeout-seconds}
 * of the connection, a request with a body be read and answered within as long, and each next
 * request arrive within {@code gateway.idle-timeout-seconds} of the answer before it: a client that
 * trickles its request a byte at a time never goes idle, so the idle timeout alone would let it
 * hold the connection for ever.</li>
 * </ul>
 * Through Vert.x's public API, which shows a request once its headers are read: the deadline runs
 * from the connection (or the answer before) until a request's headers are in, or, for a request
 * with a body, until its answer starts. This needs the connection handler called as the connection
 * is accepted, which Vert.x does for HTTP/1.1 only when cleartext HTTP/2 is off ({@link ApiHttpServer}).
 */
public final class ConnectionGuard {

    private static final Logger LOG = LoggerFactory.getLogger(ConnectionGuard.class);
    private static final long REFUSALS_LOGGED_EVERY_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final int maxConnections;
    private final long readTimeoutMillis;
    private final long idleTimeoutMillis;
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong refusalLoggedAt = new AtomicLong(System.nanoTime() - REFUSALS_LOGGED_EVERY_NANOS);
    private final Map<HttpConnection, Deadline> deadlines = new ConcurrentHashMap<>();

    public ConnectionGuard(int maxConnections, Duration readTimeout, Duration idleTimeout) {
        this.maxConnections = maxConnections;
        this.readTimeoutMillis = readTimeout.toMillis();
        this.idleTimeoutMillis = idleTimeout.toMillis();
    }

    /** The server's connection handler: counts the connection, or closes it when the server holds its most. */
    public void accept(HttpConnection connection) {
        if (open.incrementAndGet() > maxConnections) {
            open.decrementAndGet();
            connection.close();
            logRefusal();
            return;
        }
        Deadline deadline = new Deadline(Vertx.currentContext().owner(), connection);
        deadlines.put(connection, deadline);
        connection.closeHandler(closed -> {
            open.decrementAndGet();
            deadline.cancel();
            deadlines.remove(connection);
        });
        deadline.arm(readTimeoutMillis);
    }

    /** The server's first step for each request, on its connection's event loop: its headers are in. */
    public void arrived(HttpServerRequest request) {
        Deadline deadline = deadlines.get(request.connection());
        if (deadline == null) {
            return;
        }
        String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
        if ((length == null || length.equals("0")) && !request.headers().contains(HttpHeaders.TRANSFER_ENCODING)) {
            deadline.disarm();
        } else {
            request.response().headersEndHandler(answering -> deadline.disarm());
        }
        request.response().endHandler(answered -> deadline.arm(idleTimeoutMillis));
    }

    /** Connections open now. */
    public int open() {
        return open.get();
    }

    private void logRefusal() {
        long count = refused.incrementAndGet();
        long now = System.nanoTime();
        long last = refusalLoggedAt.get();
        if (now - last >= REFUSALS_LOGGED_EVERY_NANOS && refusalLoggedAt.compareAndSet(last, now)) {
            LOG.warn("The API server holds its most connections ({}, gateway.max-connections): {} new connections "
                    + "closed as they were accepted so far", maxConnections, count);
        }
    }

    /**
     * When one connection is closed unless a request arrives; set and cleared on its event loop
     * only. Arming and disarming, twice a request, only write the time: the timer is set once an
     * armed deadline has none, and when it fires early (the deadline moved), set again for the rest.
     */
    private static final class Deadline {
        private final Vertx vertx;
        private final HttpConnection connection;
        private boolean armed;
        private long dueNanos;
        private long timer = -1;

        Deadline(Vertx vertx, HttpConnection connection) {
            this.vertx = vertx;
            this.connection = connection;
        }

        void arm(long millis) {
            armed = true;
            dueNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
            if (timer < 0) {
                timer = vertx.setTimer(millis, fired -> due());
            }
        }

        void disarm() {
            armed = false;
        }

        private void due() {
            timer = -1;
            if (!armed) {
                return;
            }
            long left = dueNanos - System.nanoTime();
            if (left > 0) {
                timer = vertx.setTimer(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)), fired -> due());
                return;
            }
            LOG.debug("closing a connection whose request did not arrive in time");
            connection.close();
        }

        void cancel() {
            armed = false;
            if (timer >= 0) {
                vertx.cancelTimer(timer);
                timer = -1;
            }
        }
    }
}

package com.permamind.gateway.events;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.vertx.core.net.SocketAddress;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.Message;

/**
 * Who posts download events, known only by an HMAC of their address: the address itself is read
 * once, hashed, and removed from the exchange, so it is never stored, sent to Kafka or logged.
 * The hash is also the key of the per-client rate limit. An IPv6 client is its /64: one host
 * commonly holds a whole /64, so each of its addresses would otherwise be a client of its own.
 */
public class DownloadClients {

    public static final String CLIENT_HASH = "downloadClientHash";
    /** Where platform-http leaves the peer's socket address. */
    static final String REMOTE_ADDRESS = "CamelVertxPlatformHttpRemoteAddress";
    static final String LOCAL_ADDRESS = "CamelVertxPlatformHttpLocalAddress";
    private static final String HMAC = "HmacSHA256";
    private static final String UNKNOWN_ADDRESS = "unknown";
    private static final Pattern IPV6_LITERAL = Pattern.compile("\\[?[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*(%[\\w.]+)?]?");
    // one budget per client seen recently; an evicted one only means a fresh budget
    private static final long MAX_TRACKED_CLIENTS = 100_000;

    private final SecretKeySpec secret;
    // a Mac is not thread-safe and costly to look up: one per thread, keyed once
    private final ThreadLocal<Mac> macs = ThreadLocal.withInitial(this::newMac);
    private final String addressHeader;
    private final int eventsPerPeriod;
    private final long periodNanos;
    private final Cache<String, Budget> budgets;

    /**
     * @param secret          the HMAC key; the same secret gives the same hash for an address across restarts
     * @param addressHeader   a header set by a trusted proxy (e.g. X-Forwarded-For) whose last entry is the
     *                        client's address; blank to use the connection's peer address
     * @param eventsPerPeriod how many events one client may post per period
     */
    public DownloadClients(byte[] secret, String addressHeader, int eventsPerPeriod, Duration period) {
        this.secret = new SecretKeySpec(secret, HMAC);
        this.addressHeader = addressHeader == null ? "" : addressHeader.trim();
        this.eventsPerPeriod = eventsPerPeriod;
        this.periodNanos = period.toNanos();
        // upkeep on the requesting thread, as the response cache's (ResponseCache): no thread woken per POST.
        // A budget idle for a whole period is as good as a fresh one, so it need not be kept longer.
        this.budgets = Caffeine.newBuilder()
                .executor(Runnable::run)
                .expireAfterAccess(period)
                .maximumSize(MAX_TRACKED_CLIENTS)
                .build();
        hash(UNKNOWN_ADDRESS); // fails at start, not on the first request, if HMAC-SHA256 is missing
    }

    /** Leaves the client's hash in {@value #CLIENT_HASH} and removes every trace of the address itself. */
    public void identify(Exchange exchange) {
        Message in = exchange.getMessage();
        String address = address(in);
        in.removeHeader(REMOTE_ADDRESS);
        in.removeHeader(LOCAL_ADDRESS);
        if (!addressHeader.isEmpty()) {
            in.removeHeader(addressHeader);
        }
        exchange.setProperty(CLIENT_HASH, hash(client(address)));
    }

    /** The client an address belongs to: an IPv4 address itself, an IPv6 address its /64. */
    static String client(String address) {
        if (!IPV6_LITERAL.matcher(address).matches()) {
            return address;
        }
        try {
            // a literal: no name lookup; an IPv4-mapped address comes back as the IPv4 address
            InetAddress parsed = InetAddress.getByName(address);
            byte[] bytes = parsed.getAddress();
            if (bytes.length != 16) {
                return parsed.getHostAddress();
            }
            StringBuilder prefix = new StringBuilder(24);
            for (int i = 0; i < 8; i += 2) {
                prefix.append(Integer.toHexString(((bytes[i] & 0xff) << 8) | (bytes[i + 1] & 0xff))).append(':');
            }
            return prefix.append(":/64").toString();
        } catch (UnknownHostException e) {
            return address;
        }
    }

    /** Takes one event from the client's budget, or refuses it with the time until the budget refills. */
    public void admit(@ExchangeProperty(CLIENT_HASH) String client) {
        long nanosToWait = budgets.get(client, key -> new Budget()).take(System.nanoTime());
        if (nanosToWait > 0) {
            throw new TooManyDownloadsException(Math.max(1, TimeUnit.NANOSECONDS.toSeconds(nanosToWait + 999_999_999L)));
        }
    }

    /**
     * A client's events in its current window: a fixed window of the period from the client's first event
     * in it. Two fields, where a resilience4j {@code RateLimiter} per client, with its event processor and
     * lock, took about 400 bytes: 26 MB of live heap for the 65,536 clients of the suite's event run.
     */
    private final class Budget {
        private long windowStart;
        private int taken;

        /** Takes one event: 0 if the budget had it, else the nanoseconds until the window ends. */
        synchronized long take(long now) {
            if (taken == 0 || now - windowStart >= periodNanos) {
                windowStart = now;
                taken = 0;
            }
            if (taken < eventsPerPeriod) {
                taken++;
                return 0;
            }
            return windowStart + periodNanos - now;
        }
    }

    /** HMAC-SHA256 of the address, lowercase hex. */
    public String hash(String address) {
        return HexFormat.of().formatHex(macs.get().doFinal(address.getBytes(StandardCharsets.UTF_8)));
    }

    private Mac newMac() {
        try {
            Mac mac = Mac.getInstance(HMAC);
            mac.init(secret);
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 is not available", e);
        }
    }

    private String address(Message in) {
        if (!addressHeader.isEmpty()) {
            String forwarded = in.getHeader(addressHeader, String.class);
            if (forwarded != null && !forwarded.isBlank()) {
                // a proxy appends the address it saw: the last entry is the one the trusted proxy vouches for
                String[] hops = forwarded.split(",");
                return hops[hops.length - 1].trim();
            }
        }
        Object peer = in.getHeader(REMOTE_ADDRESS);
        if (peer instanceof SocketAddress socket && socket.hostAddress() != null) {
            return socket.hostAddress();
        }
        return UNKNOWN_ADDRESS;
    }
}

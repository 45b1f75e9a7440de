package com.permamind.gateway.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.ScheduledFuture;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.net.impl.ConnectionBase;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What one client's connections may hold of the API's server, beside Vert.x's idle timeout:
 * <ul>
 * <li>at most {@code gateway.max-connections} open at once: one more is closed as it is accepted;</li>
 * <li>a request must arrive whole (request line, headers and body) within
 * {@code gateway.request-read-timeout-seconds} of its first byte, and a new connection's first
 * request within as long of the connection: a client that trickles its request a byte at a time
 * never goes idle, so the idle timeout alone would let it hold the connection for ever.</li>
 * </ul>
 * The deadline is watched in the connection's Netty pipeline: the first bytes of a request, before
 * Vert.x's decoder, arm it; the end of the decoded request, after the decoder, disarms it. This
 * needs the connection handler called as the connection is accepted, which Vert.x does for
 * HTTP/1.1 only when cleartext HTTP/2 is off ({@code HttpServerVertx}); with it on, Vert.x waits
 * for the first bytes to tell the protocols apart and a silent connection is never seen here.
 */
public final class ConnectionGuard {

    private static final Logger LOG = LoggerFactory.getLogger(ConnectionGuard.class);
    private static final long REFUSALS_LOGGED_EVERY_NANOS = TimeUnit.SECONDS.toNanos(10);
    // Vert.x's names for its HTTP/1 request decoder in the connection's pipeline (HttpServerWorker)
    private static final String DECODER = "httpDecoder";

    private final int maxConnections;
    private final long readTimeoutNanos;
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong refusalLoggedAt = new AtomicLong(System.nanoTime() - REFUSALS_LOGGED_EVERY_NANOS);

    public ConnectionGuard(int maxConnections, Duration readTimeout) {
        this.maxConnections = maxConnections;
        this.readTimeoutNanos = readTimeout.toNanos();
    }

    /** The server's connection handler: counts the connection, or closes it when the server holds its most. */
    public void accept(HttpConnection connection) {
        if (open.incrementAndGet() > maxConnections) {
            open.decrementAndGet();
            connection.close();
            logRefusal();
            return;
        }
        connection.closeHandler(closed -> open.decrementAndGet());
        if (connection instanceof ConnectionBase base && base.channel().pipeline().get(DECODER) != null) {
            new ReadDeadline(base.channel(), readTimeoutNanos).install();
        }
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

    /** The deadline of the request being read on one connection; runs on the connection's event loop only. */
    private static final class ReadDeadline {
        private final Channel channel;
        private final long timeoutNanos;
        private ScheduledFuture<?> deadline;

        ReadDeadline(Channel channel, long timeoutNanos) {
            this.channel = channel;
            this.timeoutNanos = timeoutNanos;
        }

        void install() {
            ChannelPipeline pipeline = channel.pipeline();
            pipeline.addBefore(DECODER, "requestReadDeadlineStart", new ChannelInboundHandlerAdapter() {
                @Override
                public void channelRead(ChannelHandlerContext context, Object message) {
                    if (deadline == null && message instanceof ByteBuf bytes && bytes.isReadable()) {
                        arm();
                    }
                    context.fireChannelRead(message);
                }

                @Override
                public void channelActive(ChannelHandlerContext context) {
                    arm();
                    context.fireChannelActive();
                }

                @Override
                public void channelInactive(ChannelHandlerContext context) {
                    disarm();
                    context.fireChannelInactive();
                }
            });
            pipeline.addAfter(DECODER, "requestReadDeadlineEnd", new ChannelInboundHandlerAdapter() {
                @Override
                public void channelRead(ChannelHandlerContext context, Object message) {
                    if (message instanceof LastHttpContent) {
                        disarm();
                    }
                    context.fireChannelRead(message);
                }
            });
            // the connection's first request is due within the timeout of the connection itself
            // (armed here, or as the connection becomes active if it is not yet)
            arm();
        }

        private void arm() {
            if (deadline == null && channel.isActive()) {
                deadline = channel.eventLoop().schedule(this::expire, timeoutNanos, TimeUnit.NANOSECONDS);
            }
        }

        private void disarm() {
            if (deadline != null) {
                deadline.cancel(false);
                deadline = null;
            }
        }

        private void expire() {
            deadline = null;
            LOG.debug("closing a connection whose request was not read within {} ms", timeoutNanos / 1_000_000);
            channel.close();
        }
    }
}

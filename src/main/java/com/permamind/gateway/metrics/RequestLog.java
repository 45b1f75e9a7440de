package com.permamind.gateway.metrics;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The request log, logger {@code com.permamind.gateway.requests}: one line per answered read.
 *
 * <p>Cache hits are answered on the HTTP event loop, tens of thousands a second, and handing each
 * line to log4j there (its log event, the copy into its asynchronous logger's ring buffer) was a
 * sixth of the event loop's work for a hit. So a read only queues the line's values; a thread of
 * its own hands them to log4j every {@value #WRITE_EVERY_MILLIS} ms, all at once, and log4j's own
 * asynchronous logger (log4j2.properties) writes them in batches. A line is therefore stamped when
 * it reaches log4j, and written up to about twice that long after its answer.
 *
 * <p>When the writer falls {@link #capacity} lines behind (standard output blocked, say), a read
 * writes its line itself and so waits for the log, as it would with a full log4j buffer: lines are
 * never dropped, and the queue is bounded.
 */
public final class RequestLog extends ServiceSupport {

    static final long WRITE_EVERY_MILLIS = 10;
    private static final Logger LINES = LoggerFactory.getLogger("com.permamind.gateway.requests");

    private final int capacity;
    private final Queue<Line> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger queued = new AtomicInteger();
    private volatile Thread writer;

    public RequestLog(int capacity) {
        this.capacity = capacity;
    }

    /** Whether lines are wanted at all (the logger's level): when not, nothing is queued. */
    public boolean enabled() {
        return LINES.isInfoEnabled();
    }

    public void add(String query, int status, String source, long nanos, Long upstreamNanos) {
        Line line = new Line(query, status, source, nanos, upstreamNanos);
        if (writer != null) {
            if (queued.incrementAndGet() <= capacity) {
                queue.add(line);
                // the log may have stopped, and written its queue, since writer was read
                if (writer == null) {
                    writeQueued();
                }
                return;
            }
            queued.decrementAndGet();
        }
        line.write();
    }

    @Override
    protected void doStart() {
        Thread thread = new Thread(this::writeUntilStopped, "request-log");
        thread.setDaemon(true);
        writer = thread;
        thread.start();
    }

    /** Writes what is still queued, then returns: the lines of the last reads are not lost at a stop. */
    @Override
    protected void doStop() throws InterruptedException {
        Thread thread = writer;
        writer = null;
        if (thread != null) {
            LockSupport.unpark(thread);
            thread.join(TimeUnit.SECONDS.toMillis(5));
        }
        writeQueued();
    }

    private void writeUntilStopped() {
        while (writer != null) {
            writeQueued();
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(WRITE_EVERY_MILLIS));
        }
    }

    private void writeQueued() {
        for (Line line = queue.poll(); line != null; line = queue.poll()) {
            queued.decrementAndGet();
            line.write();
        }
    }

    private record Line(String query, int status, String source, long nanos, Long upstreamNanos) {

        void write() {
            LINES.info("{} status={} source={} total={}ms{}", query, status, source, millis(nanos),
                    upstreamNanos == null ? "" : " upstream=" + millis(upstreamNanos) + "ms");
        }
    }

    // tenths of a millisecond, without String.format's cost on every line
    private static String millis(long nanos) {
        long tenths = (nanos + 50_000) / 100_000;
        return tenths / 10 + "." + tenths % 10;
    }
}

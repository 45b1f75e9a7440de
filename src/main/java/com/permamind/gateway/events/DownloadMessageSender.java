package com.permamind.gateway.events;

import com.permamind.gateway.upstream.UpstreamException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.camel.Body;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends one signed download message upstream, as registry-contract.md section 6 says to read the
 * answers: 2xx accepted; 408, 429, 5xx, 402 (payment wanted: another node, or later), connection
 * errors and timeouts are tried again, on the next upstream, after a backoff that honours
 * {@code Retry-After}; any other 4xx refuses the item itself, and the answer is the reason to park it.
 * But 409: the upstream already holds a message with this id, which can only be this event's (the
 * same event is always the same item). It was taken before, by a send whose answer was lost (a
 * timeout) or by a run that crashed before its commit: done, and counted once.
 *
 * <p>One call is one attempt window: at most {@code attempts} sends, then an
 * {@link UpstreamException} leaves the event unfinished, and the forwarder pauses at it. The
 * forwarder's breaker sees the window, not each send: one event's retries count once.
 */
public class DownloadMessageSender {

    /**
     * What became of a message: accepted (now, or {@code before}: the upstream already had it), or
     * refused with a reason.
     */
    public record Answer(boolean accepted, boolean before, String refusal) {
    }

    private static final Logger LOG = LoggerFactory.getLogger(DownloadMessageSender.class);
    private static final int MAX_ANSWER_BYTES = 4096;
    private static final int MAX_REASON_CHARS = 200;
    private static final Duration MAX_RETRY_AFTER = Duration.ofSeconds(60);
    private static final Pattern HTML_TITLE = Pattern.compile("(?is)<title>(.*?)</title>");

    private final HttpClient http;
    private final MessageTransport transport;
    private final List<URI> targets;
    private final Duration timeout;
    private final int attempts;
    private final Duration firstDelay;
    private final Duration maxDelay;

    /**
     * @param upstreams the nodes, tried in turn (hyperbeam), or the messenger unit (mu)
     * @param attempts  sends per attempt window, at least 1
     */
    public DownloadMessageSender(HttpClient http, MessageTransport transport, List<URI> upstreams, String processId,
            Duration timeout, int attempts, Duration firstDelay, Duration maxDelay) {
        if (upstreams.isEmpty()) {
            throw new IllegalArgumentException("no upstream to send download messages to");
        }
        this.http = http;
        this.transport = transport;
        this.targets = upstreams.stream().map(upstream -> transport.target(upstream, processId)).toList();
        this.timeout = timeout;
        this.attempts = Math.max(1, attempts);
        this.firstDelay = firstDelay;
        this.maxDelay = maxDelay;
    }

    public List<URI> targets() {
        return targets;
    }

    /** Sends the data item's bytes until one upstream takes or refuses it, or the window's attempts run out. */
    public Answer send(@Body byte[] item) throws InterruptedException {
        String lastFailure = null;
        Duration delay = firstDelay;
        for (int attempt = 0; attempt < attempts; attempt++) {
            if (attempt > 0) {
                Thread.sleep(delay.toMillis());
                delay = min(delay.multipliedBy(2), maxDelay);
            }
            URI target = targets.get(attempt % targets.size());
            Failure failure;
            try {
                HttpRequest.Builder request = HttpRequest.newBuilder(target).timeout(timeout)
                        .header("Content-Type", transport.contentType())
                        .POST(HttpRequest.BodyPublishers.ofByteArray(item));
                transport.headers().forEach(request::header);
                HttpResponse<InputStream> response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
                int status = response.statusCode();
                String body = head(response);
                if (status >= 200 && status < 300) {
                    return new Answer(true, false, null);
                }
                if (status == 409) {
                    return new Answer(true, true, null);
                }
                if (status >= 400 && status < 500 && status != 402 && status != 408 && status != 429) {
                    return new Answer(false, false, "HTTP " + status + " from " + target.getHost() + ": " + reason(body));
                }
                failure = new Failure("HTTP " + status + " from " + target.getHost()
                        + (status == 402 ? " (payment required)" : ""), retryAfter(response));
            } catch (HttpTimeoutException e) {
                failure = new Failure("no answer from " + target.getHost() + " within " + timeout.toMillis() + " ms",
                        Duration.ZERO);
            } catch (IOException e) {
                failure = new Failure(target.getHost() + " unreachable (" + e.getClass().getSimpleName() + ")",
                        Duration.ZERO);
            }
            lastFailure = failure.what;
            delay = max(delay, failure.retryAfter);
            LOG.debug("download message to {}: {} (attempt {} of {})", target, failure.what, attempt + 1, attempts);
        }
        throw new UpstreamException("download-messages", attempts + " attempts failed, the last: " + lastFailure);
    }

    private static String head(HttpResponse<InputStream> response) throws IOException {
        try (InputStream body = response.body()) {
            return new String(body.readNBytes(MAX_ANSWER_BYTES), StandardCharsets.UTF_8);
        }
    }

    /** The answer as a short, single-line reason: an HTML page by its title. */
    static String reason(String body) {
        String text = body.strip();
        if (text.startsWith("<")) {
            Matcher title = HTML_TITLE.matcher(text);
            text = "HTML page" + (title.find() ? " '" + title.group(1).strip() + "'" : "");
        }
        text = text.replaceAll("\\p{Cntrl}+", " ");
        if (text.isEmpty()) {
            return "no reason given";
        }
        return text.length() > MAX_REASON_CHARS ? text.substring(0, MAX_REASON_CHARS) + "..." : text;
    }

    /** Seconds or an HTTP date; nothing usable is no wait; more than a minute counts as a minute. */
    static Duration retryAfter(HttpResponse<?> response) {
        String value = response.headers().firstValue("Retry-After").orElse("").strip();
        if (value.isEmpty()) {
            return Duration.ZERO;
        }
        Duration wait;
        try {
            wait = Duration.ofSeconds(Long.parseLong(value));
        } catch (NumberFormatException notSeconds) {
            try {
                wait = Duration.between(ZonedDateTime.now(),
                        ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME));
            } catch (DateTimeParseException notADate) {
                return Duration.ZERO;
            }
        }
        return wait.isNegative() ? Duration.ZERO : min(wait, MAX_RETRY_AFTER);
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    private record Failure(String what, Duration retryAfter) {
    }
}

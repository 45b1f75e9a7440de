package com.permamind.gateway.http;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.permamind.gateway.answer.CanonicalJson;
import com.permamind.gateway.answer.RegistryAnswers;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.util.regex.Pattern;

/**
 * How much body each API route takes: none for the reads, {@code download-events.max-body-bytes}
 * for {@code POST /api/skills/{name}/downloads}. A request announcing more (its
 * {@code Content-Length}, or a chunked body where none is taken) is answered 413 as it arrives,
 * before the cache front, the router or any body handler reads a byte of its body; a chunked body
 * that grows past the limit is cut off by Vert.x's body handler at the same limit
 * ({@code camel.server.max-body-size}), whose 413 is answered here too. Either way the connection
 * is closed after the answer, so the client stops sending.
 */
public final class RequestBodyLimit {

    private static final Pattern DOWNLOADS = Pattern.compile("/api/skills/[^/]+/downloads");
    private static final Buffer TOO_LARGE_FOR_ANY = problem("This request takes no body.");

    private final long downloadBytes;
    private final Buffer tooLargeForDownload;

    /** @param downloadBytes the most a download event's body may hold */
    public RequestBodyLimit(long downloadBytes) {
        this.downloadBytes = downloadBytes;
        this.tooLargeForDownload = problem("A download event's body holds at most " + downloadBytes + " bytes.");
    }

    /** The most body this request may carry, in bytes. */
    public long limitOf(HttpServerRequest request) {
        return request.method() == HttpMethod.POST && DOWNLOADS.matcher(request.path()).matches() ? downloadBytes : 0;
    }

    /** Whether the request announces more body than its route takes: then it has been answered 413. */
    public boolean refused(HttpServerRequest request) {
        long limit = limitOf(request);
        String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
        boolean over;
        if (length != null) {
            try {
                over = Long.parseLong(length.trim()) > limit;
            } catch (NumberFormatException e) {
                over = true;
            }
        } else {
            over = limit == 0 && request.headers().contains(HttpHeaders.TRANSFER_ENCODING, HttpHeaders.CHUNKED, true);
        }
        if (over) {
            refuse(request);
        }
        return over;
    }

    /**
     * Answers 413 and closes the connection once the answer is written. The request is paused
     * first: what the client sends meanwhile stays in the socket's buffer, unread, until the close
     * drops it, where Vert.x would copy each piece it reads onto the heap.
     */
    public void refuse(HttpServerRequest request) {
        HttpServerResponse response = request.response();
        if (response.ended() || response.closed()) {
            return;
        }
        request.pause();
        Buffer body = limitOf(request) == 0 ? TOO_LARGE_FOR_ANY : tooLargeForDownload;
        response.setStatusCode(413)
                .putHeader(HttpHeaders.CONTENT_TYPE, RegistryAnswers.PROBLEM_JSON)
                .putHeader(HttpHeaders.CONNECTION, HttpHeaders.CLOSE)
                .end(body.copy())
                .onComplete(written -> request.connection().close());
    }

    private static Buffer problem(String detail) {
        ObjectNode problem = JsonNodeFactory.instance.objectNode();
        problem.put("type", "about:blank");
        problem.put("title", "Content Too Large");
        problem.put("status", 413);
        problem.put("detail", detail);
        return Buffer.buffer(CanonicalJson.write(problem));
    }
}

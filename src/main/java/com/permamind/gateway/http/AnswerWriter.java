package com.permamind.gateway.http;

import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.util.Iterator;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.TypeConverter;
import org.apache.camel.spi.HeaderFilterStrategy;
import org.apache.camel.support.MessageHelper;
import org.apache.camel.support.ObjectHelper;
import org.apache.camel.support.http.HttpUtil;

/**
 * Writes every answer of the API, whoever gave it: a route (its message) or the cache front (a
 * cached answer, its headers from {@code CachedAnswer.headers}, as the route's). Here, once for
 * both: the CORS headers ({@link ApiCors}), a 304 for a conditional GET whose ETag still matches,
 * and the body, whole, with its {@code Content-Length}.
 */
public final class AnswerWriter {

    private final Supplier<ApiCors> cors;

    /** @param cors read at the first answer: the routes set the REST configuration after the beans are made */
    public AnswerWriter(Supplier<ApiCors> cors) {
        this.cors = cors;
    }

    /**
     * A route's answer: its message's status, headers (those the endpoint's filter lets out, never
     * the path's parameters) and body; only a status when the exchange failed and no route handled it.
     *
     * @return the status written
     */
    public int write(RoutingContext ctx, Exchange exchange, HeaderFilterStrategy filter) {
        Message message = exchange.getMessage();
        Object body = exchange.getException() != null ? null : message.getBody();
        MultiMap headers = ctx.response().headers();
        if (filter != null) {
            TypeConverter converter = exchange.getContext().getTypeConverter();
            for (Map.Entry<String, Object> header : message.getHeaders().entrySet()) {
                String name = header.getKey();
                if (ctx.pathParams().containsKey(name)) {
                    continue;
                }
                Iterator<?> values = ObjectHelper.createIterator(header.getValue(), null, true);
                HttpUtil.applyHeader(filter, exchange, values, converter, name, (all, first) -> {
                    if (all != null) {
                        headers.set(name, all);
                    } else if (first != null) {
                        headers.set(name, first);
                    }
                });
            }
        }
        String contentType = MessageHelper.getContentType(message);
        if (contentType != null && body != null) {
            headers.set(HttpHeaders.CONTENT_TYPE, contentType);
        }
        return write(ctx.request(), HttpUtil.determineResponseCode(exchange, body), bytes(exchange, body));
    }

    /**
     * An answer whose headers are on the response already.
     *
     * @return the status written: 304 for a 200 whose ETag the request's {@code If-None-Match} names
     */
    public int write(HttpServerRequest request, int status, Buffer body) {
        HttpServerResponse response = request.response();
        MultiMap headers = response.headers();
        cors.get().addTo(headers, request.getHeader(HttpHeaders.ORIGIN));
        if (status == 200 && notModified(request.getHeader(HttpHeaders.IF_NONE_MATCH), headers.get(HttpHeaders.ETAG))) {
            headers.remove(HttpHeaders.CONTENT_TYPE);
            response.setStatusCode(304).end();
            return 304;
        }
        response.setStatusCode(status);
        if (body == null) {
            response.end();
        } else {
            response.end(body);
        }
        return status;
    }

    /** Whether an If-None-Match header names this strong ETag (weakly compared, as RFC 9110 asks). */
    static boolean notModified(String ifNoneMatch, String etag) {
        if (ifNoneMatch == null || etag == null) {
            return false;
        }
        for (String candidate : ifNoneMatch.split(",")) {
            String tag = candidate.trim();
            if (tag.equals("*") || tag.equals(etag) || tag.equals("W/" + etag)) {
                return true;
            }
        }
        return false;
    }

    private static Buffer bytes(Exchange exchange, Object body) {
        if (body == null) {
            return null;
        }
        if (body instanceof Buffer buffer) {
            return buffer;
        }
        if (body instanceof String text) {
            return Buffer.buffer(text);
        }
        if (body instanceof byte[] bytes) {
            return Buffer.buffer(bytes);
        }
        byte[] bytes = exchange.getContext().getTypeConverter().convertTo(byte[].class, exchange, body);
        if (bytes == null) {
            throw new IllegalStateException("cannot write a body of " + body.getClass() + " as HTTP");
        }
        return Buffer.buffer(bytes);
    }
}

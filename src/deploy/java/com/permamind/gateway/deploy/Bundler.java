package com.permamind.gateway.deploy;

import com.permamind.gateway.ans104.DataItem;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * An ANS-104 bundler's upload endpoint: {@code POST {base}/tx} with the signed item as the body.
 * The bundler pays for and posts the bundle; the item's id is already fixed by its signature.
 */
public final class Bundler {

    /** ArDrive Turbo's upload service, which takes small items without a funded account. */
    public static final URI DEFAULT_URL = URI.create("https://upload.ardrive.io/v1");

    private static final int ANSWER_EXCERPT_CHARS = 300;

    private final URI base;
    private final Duration timeout;
    private final HttpClient http;

    public Bundler(URI base, Duration timeout) {
        this.base = base;
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
    }

    public URI url() {
        return base;
    }

    /** Uploads {@code item}; answers the bundler's reply body. */
    public String upload(DataItem item) throws BundlerException {
        URI endpoint = URI.create(base.toString().replaceAll("/+$", "") + "/tx");
        HttpRequest request = HttpRequest.newBuilder(endpoint)
            .timeout(timeout)
            .header("Content-Type", "application/octet-stream")
            .POST(HttpRequest.BodyPublishers.ofByteArray(item.toBytes()))
            .build();
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new BundlerException("bundler " + endpoint + " unreachable: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BundlerException("interrupted while uploading to " + endpoint, e);
        }
        String body = response.body();
        if (response.statusCode() / 100 != 2) {
            throw new BundlerException("bundler " + endpoint + " answered HTTP " + response.statusCode() + ": "
                + excerpt(body));
        }
        String acceptedId = idIn(body);
        if (acceptedId != null && !acceptedId.equals(item.id())) {
            throw new BundlerException("bundler " + endpoint + " accepted id " + acceptedId + ", the item's is "
                + item.id());
        }
        return body;
    }

    // Turbo answers {"id": ..., ...}; other bundlers may answer anything, which is fine.
    private static String idIn(String body) {
        try {
            JsonNode id = new ObjectMapper().readTree(body).path("id");
            return id.isTextual() ? id.asText() : null;
        } catch (IOException e) {
            return null;
        }
    }

    private static String excerpt(String body) {
        String flat = body.replaceAll("\\s+", " ").strip();
        return flat.length() <= ANSWER_EXCERPT_CHARS ? flat : flat.substring(0, ANSWER_EXCERPT_CHARS) + "...";
    }
}

package com.permamind.gateway.simulator;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/** The fixture, and an HTTP client speaking to the simulator the way the gateway would. */
final class SimulatorTestSupport {

    static final ObjectMapper MAPPER = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();

    private SimulatorTestSupport() {
    }

    static Path fixturePath() {
        String configured = System.getenv("REGISTRY_FIXTURE");
        Path path = Path.of(configured != null ? configured : "../shared/fixtures/registry-state.json");
        if (!Files.isRegularFile(path)) {
            throw new IllegalStateException("registry fixture not found at " + path.toAbsolutePath());
        }
        return path;
    }

    static JsonNode fixture() {
        try {
            return MAPPER.readTree(fixturePath().toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static SimulatorConfig.Builder fixtureConfig() {
        return SimulatorConfig.builder(fixturePath()).pinNowToStateFile();
    }

    static HttpResponse<String> get(String url) {
        return send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).GET().build());
    }

    static HttpResponse<String> post(String url, String json) {
        return send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build());
    }

    static HttpResponse<String> send(HttpRequest request) {
        try {
            return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static JsonNode json(HttpResponse<String> response) {
        try {
            return MAPPER.readTree(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static boolean isJson(String body) {
        try {
            MAPPER.readTree(body);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}

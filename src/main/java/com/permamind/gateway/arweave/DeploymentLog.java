package com.permamind.gateway.arweave;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.permamind.gateway.JsonMappers;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * lua/deployments.json: every publication of the Lua module, oldest first. The deploy tool
 * (src/deploy) appends to it; the gateway reads the copy packaged on its classpath and takes the
 * newest entry's id as its default module id.
 */
public final class DeploymentLog {

    public static final Path DEFAULT_FILE = Path.of("lua/deployments.json");
    public static final String CLASSPATH_LOCATION = "/lua/deployments.json";

    private static final ObjectMapper JSON = JsonMappers.mapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final TypeReference<List<Deployment>> ENTRIES = new TypeReference<>() { };

    private final List<Deployment> entries;

    private DeploymentLog(List<Deployment> entries) {
        this.entries = List.copyOf(entries);
    }

    /** The log in {@code file}; a file that does not exist yet is an empty log. */
    public static DeploymentLog read(Path file) {
        if (!Files.exists(file)) {
            return new DeploymentLog(List.of());
        }
        try {
            return new DeploymentLog(JSON.readValue(file.toFile(), ENTRIES));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the deployment log " + file, e);
        }
    }

    /** The log packaged with the gateway; empty when none is. */
    public static DeploymentLog fromClasspath() {
        try (InputStream in = DeploymentLog.class.getResourceAsStream(CLASSPATH_LOCATION)) {
            return new DeploymentLog(in == null ? List.of() : JSON.readValue(in, ENTRIES));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the deployment log " + CLASSPATH_LOCATION, e);
        }
    }

    public List<Deployment> entries() {
        return entries;
    }

    /** The latest publication by date; of equal dates, the one appended last. */
    public Optional<Deployment> newest() {
        List<Deployment> sorted = newestFirst();
        return sorted.isEmpty() ? Optional.empty() : Optional.of(sorted.get(0));
    }

    /** The module id the gateway should use unless configured otherwise. */
    public Optional<String> newestModuleId() {
        return newest().map(Deployment::id);
    }

    public DeploymentLog append(Deployment deployment) {
        List<Deployment> appended = new ArrayList<>(entries);
        appended.add(deployment);
        return new DeploymentLog(appended);
    }

    /** The entries newest first; of equal dates, the one appended last first. */
    public List<Deployment> newestFirst() {
        List<Deployment> sorted = new ArrayList<>(entries);
        Collections.reverse(sorted);
        sorted.sort(Comparator.comparing((Deployment deployment) -> Instant.parse(deployment.date())).reversed());
        return sorted;
    }

    /** Writes the log to {@code file} whole, through a temporary file, so a crash never leaves half a log. */
    public void write(Path file) throws IOException {
        Path directory = file.toAbsolutePath().getParent();
        Files.createDirectories(directory);
        Path temporary = Files.createTempFile(directory, file.getFileName().toString(), ".tmp");
        try {
            Files.write(temporary, (JSON.writeValueAsString(entries) + "\n").getBytes(StandardCharsets.UTF_8));
            Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(temporary);
        }
    }
}

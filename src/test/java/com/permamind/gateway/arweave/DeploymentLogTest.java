package com.permamind.gateway.arweave;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DeploymentLogTest {

    private static final Path REAL_LOG = Path.of("lua/deployments.json");

    @TempDir
    Path dir;

    @Test
    void should_give_the_id_of_the_latest_deployment_by_date() {
        DeploymentLog log = DeploymentLog.read(dir.resolve("none.json"))
            .append(deployment("B", "2025-11-20T10:00:00Z"))
            .append(deployment("A", "2025-11-19T10:00:00Z"));

        assertEquals(Optional.of("B"), log.newestModuleId());
        assertEquals(List.of("B", "A"), log.newestFirst().stream().map(Deployment::id).toList());
    }

    @Test
    void should_prefer_the_last_appended_of_equal_dates() {
        DeploymentLog log = DeploymentLog.read(dir.resolve("none.json"))
            .append(deployment("first", "2025-11-20T10:00:00Z"))
            .append(deployment("second", "2025-11-20T10:00:00Z"));

        assertEquals(Optional.of("second"), log.newestModuleId());
    }

    @Test
    void should_read_back_what_it_wrote() throws Exception {
        Path file = dir.resolve("deployments.json");
        DeploymentLog written = DeploymentLog.read(file).append(deployment("X", "2025-11-20T10:00:00Z"));

        written.write(file);

        assertEquals(written.entries(), DeploymentLog.read(file).entries());
        try (var files = Files.list(dir)) {
            assertEquals(List.of(file), files.toList(), "no temporary file left behind");
        }
    }

    @Test
    void should_treat_a_missing_log_as_empty() {
        assertEquals(Optional.empty(), DeploymentLog.read(dir.resolve("none.json")).newestModuleId());
    }

    @Test
    void should_ship_an_empty_log_so_the_gateway_falls_back_to_its_configuration() throws Exception {
        assertEquals("[]", Files.readString(REAL_LOG).strip());
        assertTrue(DeploymentLog.fromClasspath().entries().isEmpty());
        assertEquals(Optional.empty(), DeploymentLog.fromClasspath().newestModuleId());
    }

    private static Deployment deployment(String id, String date) {
        return new Deployment(id, date, "permamind-registry", "1", "ab".repeat(32), 100, "http://bundler", "owner");
    }
}

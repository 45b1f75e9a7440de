package com.permamind.gateway.routes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.permamind.gateway.dev.DevLauncher;
import com.permamind.gateway.support.GatewayHarness;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dev launcher's route reloading: a route file edited in the watched directory (here a copy of
 * src/main/resources/routes) is served by the running gateway without a restart, and the other
 * routes (templated queries, the REST DSL) keep answering.
 */
class RouteReloadTest {

    private static final List<String> ROUTE_FILES = List.of("performance.yaml");

    @TempDir
    static Path routes;
    private static GatewayHarness gateway;

    @BeforeAll
    static void start() throws IOException {
        for (String file : ROUTE_FILES) {
            try (InputStream in = RouteReloadTest.class.getResourceAsStream("/routes/" + file)) {
                Files.copy(in, routes.resolve(file), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        gateway = GatewayHarness.start(DevLauncher.routeReloading(routes));
    }

    @AfterAll
    static void stop() {
        gateway.close();
        gateway.simulator().close();
    }

    @Test
    void should_serve_an_edited_route_file_without_a_restart() throws Exception {
        assertTrue(gateway.get("/api/performance").headers().firstValue("X-Route-Edited").isEmpty());
        assertEquals(200, gateway.get("/api/skills/cron").statusCode());

        Path performance = routes.resolve("performance.yaml");
        Files.writeString(performance, Files.readString(performance).replace(
                "        - bean: { ref: requestMetrics, method: performance }",
                "        - setHeader: { name: X-Route-Edited, constant: \"yes\" }\n"
                        + "        - bean: { ref: requestMetrics, method: performance }"));

        HttpResponse<String> edited = gateway.get("/api/performance");
        long deadline = System.currentTimeMillis() + 20_000;
        while (edited.headers().firstValue("X-Route-Edited").isEmpty() && System.currentTimeMillis() < deadline) {
            Thread.sleep(200);
            edited = gateway.get("/api/performance");
        }
        assertEquals("yes", edited.headers().firstValue("X-Route-Edited").orElse("not reloaded"));
        assertEquals(200, edited.statusCode());
        assertTrue(edited.body().contains("\"windowSeconds\""), edited.body());
        // the routes not edited still answer: the queries (templated), the REST DSL, the document
        assertEquals(200, gateway.get("/api/skills/cron").statusCode());
        assertEquals(404, gateway.get("/api/skills/no-such-skill").statusCode());
        assertEquals(200, gateway.get("/api/openapi.json").statusCode());

        // a file saved broken is not loaded: the route it had keeps serving
        Files.writeString(performance, Files.readString(performance).replace("setHeader:", "setHeaderz:"));
        Thread.sleep(3_000);
        HttpResponse<String> unchanged = gateway.get("/api/performance");
        assertEquals(200, unchanged.statusCode());
        assertEquals("yes", unchanged.headers().firstValue("X-Route-Edited").orElse("route lost"));
    }
}

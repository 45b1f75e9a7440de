package com.permamind.gateway.routes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.permamind.gateway.dev.RouteCheck;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ops/check-routes: the shipped route files load; a broken one is named with its line. */
class RouteCheckTest {

    private static final Path ROUTES = Path.of("src/main/resources/routes");

    @TempDir
    Path copy;

    @Test
    void should_load_every_shipped_route_file() throws IOException {
        assertEquals(Optional.empty(), RouteCheck.check(ROUTES));
    }

    @Test
    void should_name_the_file_and_line_of_a_step_the_yaml_dsl_does_not_know() throws IOException {
        copyRoutes();
        edit("performance.yaml", "        - bean: { ref: requestMetrics, method: performance }",
                "        - setHeaders: { name: X-Typo, constant: \"yes\" }\n"
                        + "        - bean: { ref: requestMetrics, method: performance }");

        String failure = RouteCheck.check(copy).orElseThrow();

        assertTrue(failure.startsWith(copy.resolve("performance.yaml").toUri().toString().replace("file:///", "file:/")
                + ":" + lineOf("performance.yaml", "setHeaders") + ":"), failure);
    }

    @Test
    void should_name_the_file_and_line_of_a_route_that_cannot_be_created() throws IOException {
        copyRoutes();
        edit("performance.yaml", "ref: requestMetrics", "ref: noSuchBean");

        String failure = RouteCheck.check(copy).orElseThrow();

        assertTrue(failure.contains("performance.yaml:" + lineOf("performance.yaml", "- route:") + ":"), failure);
        assertTrue(failure.contains("noSuchBean"), failure);
    }

    @Test
    void should_name_the_file_of_a_template_its_routes_cannot_be_stamped_from() throws IOException {
        copyRoutes();
        edit("registry-query.yaml", "uri: \"direct:{{query}}\"", "uri: \"direct:{{querry}}\"");

        String failure = RouteCheck.check(copy).orElseThrow();

        assertTrue(failure.contains("registry-query.yaml"), failure);
        assertTrue(failure.contains("querry"), failure);
    }

    private void copyRoutes() throws IOException {
        try (Stream<Path> files = Files.list(ROUTES)) {
            for (Path file : files.toList()) {
                Files.copy(file, copy.resolve(file.getFileName()));
            }
        }
    }

    private void edit(String file, String from, String to) throws IOException {
        Path path = copy.resolve(file);
        String text = Files.readString(path);
        assertTrue(text.contains(from), file + " no longer has " + from);
        Files.writeString(path, text.replace(from, to));
    }

    private int lineOf(String file, String text) throws IOException {
        var lines = Files.readAllLines(copy.resolve(file));
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains(text)) {
                return i + 1;
            }
        }
        throw new AssertionError(text + " not in " + file);
    }
}

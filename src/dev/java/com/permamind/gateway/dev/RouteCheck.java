package com.permamind.gateway.dev;

import com.permamind.gateway.GatewayApplication;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.camel.CamelContext;
import org.apache.camel.FailedToCreateRouteException;
import org.apache.camel.main.Main;
import org.apache.camel.model.Model;
import org.apache.camel.model.RouteDefinition;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;

/**
 * Loads every route file of a directory into the gateway as it would start (its beans, properties,
 * route configurations, templates and the routes stamped from them, the REST DSL), creates every
 * route without starting any, and says which file and line fails. {@code ops/check-routes} runs it.
 */
public final class RouteCheck {

    private RouteCheck() {
    }

    public static void main(String[] args) throws IOException {
        Path directory = Path.of(args.length > 0 ? args[0] : "src/main/resources/routes");
        Optional<String> failure = check(directory);
        if (failure.isPresent()) {
            System.err.println("check-routes: " + failure.get());
            System.exit(1);
        }
        System.out.println("check-routes: every route of " + directory + " loads");
        System.exit(0);
    }

    /** Empty when every route file of the directory loads; else what failed, with its file and line. */
    public static Optional<String> check(Path directory) throws IOException {
        try (Stream<Path> listed = Files.list(directory)) {
            if (listed.noneMatch(file -> file.toString().endsWith(".yaml"))) {
                return Optional.of("no route files (*.yaml) in " + directory);
            }
        }
        Main gateway = GatewayApplication.newMain();
        gateway.addOverrideProperty("camel.main.routes-include-pattern",
                "file:" + directory.toAbsolutePath() + "/*.yaml");
        gateway.addOverrideProperty("camel.main.source-location-enabled", "true");
        // each route keeps its own file's location (inlined, a REST verb's route has none)
        gateway.addOverrideProperty("camel.rest.inline-routes", "false");
        // routes are created (endpoints, beans, templates resolved) and none starts; the HTTP server
        // binds to any free port, the management server is off
        gateway.addOverrideProperty("camel.main.auto-startup", "false");
        gateway.addOverrideProperty("camel.server.host", "127.0.0.1");
        gateway.addOverrideProperty("camel.server.port", "0");
        gateway.addOverrideProperty("camel.management.enabled", "false");
        gateway.addOverrideProperty("arweave.drift-check-enabled", "false");
        try {
            gateway.start();
            CamelContext context = gateway.getCamelContext();
            return context.getRoutes().isEmpty() ? Optional.of("no routes in " + directory) : Optional.empty();
        } catch (Exception e) {
            return Optional.of(where(e, gateway.getCamelContext()) + describe(e));
        } finally {
            gateway.stop();
        }
    }

    /**
     * The file and line of the failure: the YAML DSL marks the node it could not read; a route that
     * could not be created is found by its id, the location Camel recorded for it.
     */
    private static String where(Throwable failure, CamelContext context) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
            if (cause instanceof MarkedYamlEngineException marked) {
                Optional<Mark> mark = marked.getProblemMark().or(marked::getContextMark);
                if (mark.isPresent()) {
                    return mark.get().getName() + ":" + (mark.get().getLine() + 1) + ": ";
                }
            }
            if (cause instanceof FailedToCreateRouteException route && context != null) {
                RouteDefinition definition = context.getCamelContextExtension().getContextPlugin(Model.class)
                        .getRouteDefinition(route.getRouteId());
                if (definition != null && definition.getLocation() != null) {
                    return definition.getLocation() + ":" + definition.getLineNumber() + ": ";
                }
            }
        }
        return "";
    }

    /** The failure's messages, outermost first. */
    private static String describe(Throwable failure) {
        StringBuilder text = new StringBuilder();
        for (Throwable cause = failure; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
            String message = cause.getMessage();
            if (message != null && !text.toString().contains(message)) {
                text.append(text.length() == 0 ? "" : "\n  caused by: ").append(message);
            }
        }
        return text.toString();
    }
}

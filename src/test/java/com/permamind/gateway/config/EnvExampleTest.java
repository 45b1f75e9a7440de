package com.permamind.gateway.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * .env.example lists every environment variable the gateway and docker-compose read, each with the
 * default one of them gives it and a line of why above it. A variable added to application.properties,
 * log4j2.properties or docker-compose.yml without its line here fails, with the line to add.
 */
class EnvExampleTest {

    /** {@code {{env:NAME:default}}} (Camel) and {@code ${env:NAME:-default}} (log4j2). */
    private static final Pattern GATEWAY_VARIABLE =
            Pattern.compile("\\{\\{env:([A-Z][A-Z0-9_]*)(?::([^}]*))?}}|\\$\\{env:([A-Z][A-Z0-9_]*)(?::-([^}]*))?}");
    /**
     * {@code ${NAME}}, {@code ${NAME:-default}}, {@code ${NAME-default}} or the required {@code ${NAME:?message}}
     * (no default), not the escaped {@code $${...}}.
     */
    private static final Pattern COMPOSE_VARIABLE =
            Pattern.compile("(?<!\\$)\\$\\{([A-Z][A-Z0-9_]*)(?::?-([^}]*)|:?\\?[^}]*)?}");
    private static final Pattern EXAMPLE_LINE = Pattern.compile("^# ?([A-Z][A-Z0-9_]*)=(.*)$");

    private static final Map<String, List<Read>> READ = new TreeMap<>();
    private static final Map<String, String> EXAMPLE = new LinkedHashMap<>();
    private static List<String> exampleLines;

    private record Read(String file, int line, String defaultValue) {
        @Override
        public String toString() {
            return file + ":" + line;
        }
    }

    @BeforeAll
    static void read() throws IOException {
        scan("src/main/resources/application.properties", GATEWAY_VARIABLE);
        scan("src/main/resources/log4j2.properties", GATEWAY_VARIABLE);
        scan("docker-compose.yml", COMPOSE_VARIABLE);
        exampleLines = Files.readAllLines(Path.of(".env.example"));
        for (String line : exampleLines) {
            Matcher variable = EXAMPLE_LINE.matcher(line);
            if (variable.matches()) {
                EXAMPLE.put(variable.group(1), variable.group(2));
            }
        }
    }

    @Test
    void should_list_every_variable_the_gateway_and_compose_read() {
        List<String> missing = new ArrayList<>();
        READ.forEach((name, reads) -> {
            if (!EXAMPLE.containsKey(name)) {
                missing.add("# " + name + "=" + reads.get(0).defaultValue() + "    (read at " + reads + ")");
            }
        });
        assertTrue(missing.isEmpty(), "missing from .env.example, each with a line of why above it:\n"
                + String.join("\n", missing));
    }

    @Test
    void should_give_each_variable_a_default_that_the_gateway_or_compose_gives_it() {
        List<String> wrong = new ArrayList<>();
        EXAMPLE.forEach((name, value) -> {
            List<Read> reads = READ.getOrDefault(name, List.of());
            if (!reads.isEmpty() && reads.stream().noneMatch(read -> read.defaultValue().equals(value))) {
                wrong.add(name + "=" + value + " but the defaults are " + reads.stream()
                        .map(read -> read + " '" + read.defaultValue() + "'").toList());
            }
        });
        assertEquals(List.of(), wrong);
    }

    @Test
    void should_list_nothing_that_nothing_reads() {
        Set<String> unread = new java.util.TreeSet<>(EXAMPLE.keySet());
        unread.removeAll(READ.keySet());
        assertEquals(Set.of(), unread, "in .env.example but read by neither the gateway nor compose");
    }

    @Test
    void should_say_why_above_each_variable() {
        for (int i = 0; i < exampleLines.size(); i++) {
            if (!EXAMPLE_LINE.matcher(exampleLines.get(i)).matches()) {
                continue;
            }
            int above = i - 1;
            while (above >= 0 && EXAMPLE_LINE.matcher(exampleLines.get(above)).matches()) {
                above--;
            }
            String why = above >= 0 ? exampleLines.get(above) : "";
            assertTrue(why.startsWith("# ") && !why.startsWith("# ---"),
                    ".env.example line " + (i + 1) + " has no line of why above it");
        }
    }

    private static void scan(String file, Pattern variable) throws IOException {
        List<String> lines = Files.readAllLines(Path.of(file));
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.stripLeading().startsWith("#")) {
                continue;
            }
            Matcher found = variable.matcher(line);
            while (found.find()) {
                String name = found.group(1);
                String defaultValue = found.group(2);
                if (found.groupCount() > 2 && name == null) {
                    name = found.group(3);
                    defaultValue = found.group(4);
                }
                READ.computeIfAbsent(name, ignored -> new ArrayList<>())
                        .add(new Read(file, i + 1, defaultValue == null ? "" : defaultValue));
            }
        }
    }
}

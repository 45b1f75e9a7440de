package com.permamind.gateway.ans104;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * arbundles, the reference ANS-104 implementation, run by Node on src/test/node/verify.js: an
 * independent judge of the items we sign. CI installs it with
 * {@code (cd src/test/node && npm ci --silent)}.
 */
public final class Arbundles {

    static final Path DIRECTORY = Path.of("src/test/node").toAbsolutePath();
    private static final String INSTALL = "(cd src/test/node && npm ci --silent)";
    private static final long TIMEOUT_SECONDS = 60;

    /** What verify.js says of one item; {@code exitCode} 0 valid, 1 invalid, 2 unreadable. */
    public record Verdict(int exitCode, JsonNode report, String stderr) {
    }

    private Arbundles() {
    }

    /** Skips the calling test when Node or arbundles is missing, unless {@code CI} is set: there it fails. */
    public static void assumeInstalled() {
        String missing = null;
        if (!onPath("node")) {
            missing = "node is not installed";
        } else if (!Files.isRegularFile(DIRECTORY.resolve("node_modules/arbundles/package.json"))) {
            missing = "arbundles is not installed in src/test/node: run " + INSTALL;
        }
        if (missing == null) {
            return;
        }
        if (System.getenv("CI") != null) {
            Assertions.fail(missing + " but CI needs it");
        }
        Assumptions.abort(missing + ": skipped");
    }

    public static Verdict verify(Path item) {
        try {
            Path out = Files.createTempFile("arbundles", ".out");
            Path err = Files.createTempFile("arbundles", ".err");
            try {
                Process node = new ProcessBuilder("node", "verify.js", item.toAbsolutePath().toString())
                    .directory(DIRECTORY.toFile())
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile())
                    .start();
                if (!node.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                    node.destroyForcibly();
                    throw new IllegalStateException("verify.js took over " + TIMEOUT_SECONDS + " s");
                }
                String stdout = Files.readString(out, UTF_8).strip();
                JsonNode report = stdout.isEmpty() ? null : new ObjectMapper().readTree(stdout);
                return new Verdict(node.exitValue(), report, Files.readString(err, UTF_8).strip());
            } finally {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while verify.js ran", e);
        }
    }

    private static boolean onPath(String command) {
        String path = System.getenv("PATH");
        return path != null && List.of(path.split(File.pathSeparator)).stream()
            .anyMatch(dir -> !dir.isEmpty() && Files.isExecutable(Path.of(dir, command)));
    }
}

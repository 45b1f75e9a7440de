package com.permamind.gateway.lua;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * Runs the registry module's test vectors under external Lua interpreters: the reference
 * {@code lua5.3} and Luerl 1.0 (Debian {@code erlang-luerl}), the Erlang Lua that HyperBEAM
 * nodes run the module with (in a later version). Each run answers one canonical JSON line per
 * vector, rendered the same way under both (src/test/lua/run-vectors.lua), so tests can compare
 * them with each other and with luaj's.
 *
 * <p>CI installs both with {@code apt-get install -y lua5.3 erlang-base erlang-luerl}.
 */
public final class ExternalLua {

    public enum Interpreter {
        LUA53("lua5.3", "src/test/lua/run-vectors-lua53.lua"),
        LUERL("escript", "src/test/erlang/run-vectors.escript");

        private final String command;
        private final Path runner;

        Interpreter(String command, String runner) {
            this.command = command;
            this.runner = Path.of(runner).toAbsolutePath();
        }
    }

    /** One call of a module function: {@code _G[function](base, req, {})}. */
    public record Vector(String function, Map<String, String> req) {
    }

    // Luerl decodes the 250 KB fixture in about half a second per call.
    private static final long TIMEOUT_SECONDS = 300;

    private ExternalLua() {
    }

    public static boolean available(Interpreter interpreter) {
        if (!onPath(interpreter.command)) {
            return false;
        }
        return interpreter != Interpreter.LUERL || succeeds(List.of("erl", "-noshell", "-eval",
            "halt(case code:ensure_loaded(luerl_new) of {module, _} -> 0; _ -> 1 end)."));
    }

    /**
     * Skips the calling test when the interpreter is missing, unless the environment variable
     * {@code CI} is set: there a missing interpreter fails the test.
     */
    public static void assumeAvailable(Interpreter interpreter) {
        if (available(interpreter)) {
            return;
        }
        String missing = interpreter + " is not installed (apt-get install -y lua5.3 erlang-base erlang-luerl)";
        if (System.getenv("CI") != null) {
            Assertions.fail(missing + " but CI needs it");
        }
        Assumptions.abort(missing + ": skipped");
    }

    /**
     * Loads {@code moduleFile}, then calls each vector with {@code base.skills = skillsJson} and
     * answers one canonical JSON line per vector, in order; a Lua error gives
     * {@code {"luaerror":...}}. Throws when the interpreter exits non-zero, with its stderr.
     */
    public static List<String> run(Interpreter interpreter, Path moduleFile, String skillsJson, List<Vector> vectors) {
        Path dir = null;
        try {
            dir = Files.createTempDirectory("external-lua");
            Path skills = Files.writeString(dir.resolve("skills.json"), skillsJson, UTF_8);
            Path luaVectors = Files.writeString(dir.resolve("vectors.lua"), luaVectors(vectors), US_ASCII);
            Path out = dir.resolve("stdout");
            Path err = dir.resolve("stderr");
            Process process = new ProcessBuilder(interpreter.command, interpreter.runner.toString(),
                moduleFile.toAbsolutePath().toString(), skills.toString(), luaVectors.toString())
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .start();
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(interpreter + " took over " + TIMEOUT_SECONDS + " s on " + moduleFile);
            }
            List<String> lines = new String(Files.readAllBytes(out), UTF_8).lines().toList();
            if (process.exitValue() != 0) {
                throw new IllegalStateException(interpreter + " exited with " + process.exitValue() + " on "
                    + moduleFile + " after " + lines.size() + " of " + vectors.size() + " vectors: "
                    + Files.readString(err, UTF_8).strip());
            }
            return lines;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while " + interpreter + " ran", e);
        } finally {
            deleteQuietly(dir);
        }
    }

    /** The vectors as the Lua chunk the runners load; req keys sorted so the file is stable. */
    static String luaVectors(List<Vector> vectors) {
        StringBuilder lua = new StringBuilder("return {\n");
        for (Vector vector : vectors) {
            lua.append("  { fn = ").append(luaString(vector.function())).append(", req = {");
            new TreeMap<>(vector.req()).forEach((key, value) ->
                lua.append(" [").append(luaString(key)).append("] = ").append(luaString(value)).append(','));
            lua.append(" } },\n");
        }
        return lua.append("}\n").toString();
    }

    // Lua source must be ASCII (Luerl reads it as Latin-1): every other byte of the UTF-8 is a
    // \ddd escape. Luerl 1.0 keeps such bytes only while they form valid UTF-8, which a Java
    // String's always do.
    private static String luaString(String text) {
        StringBuilder lua = new StringBuilder("\"");
        for (byte b : text.getBytes(UTF_8)) {
            int c = b & 0xFF;
            if (c >= 0x20 && c < 0x7F && c != '"' && c != '\\') {
                lua.append((char) c);
            } else {
                lua.append(String.format("\\%03d", c));
            }
        }
        return lua.append('"').toString();
    }

    private static boolean onPath(String command) {
        String path = System.getenv("PATH");
        return path != null && List.of(path.split(File.pathSeparator)).stream()
            .anyMatch(dir -> !dir.isEmpty() && Files.isExecutable(Path.of(dir, command)));
    }

    private static boolean succeeds(List<String> command) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return false;
            }
            return process.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static void deleteQuietly(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(file -> file.toFile().delete());
        } catch (IOException e) {
            // a leftover temp file is harmless
        }
    }
}

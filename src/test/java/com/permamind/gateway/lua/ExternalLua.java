package com.permamind.gateway.lua;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
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
 * {@code lua5.3}, Luerl 1.0 (Debian {@code erlang-luerl}) and Luerl 1.3.0, the Erlang Lua that
 * HyperBEAM nodes run the module with (a build of it lies in {@code ../shared/tools/luerl-1.3.0},
 * beside the clone). Each run answers one canonical JSON line per vector, rendered the same way
 * under all of them (src/test/lua/run-vectors.lua), so tests can compare them with each other and
 * with luaj's.
 *
 * <p>CI installs the first two with {@code apt-get install -y lua5.3 erlang-base erlang-luerl}.
 */
public final class ExternalLua {

    /** Where Luerl 1.3.0's compiled modules are, from the project directory the tests run in. */
    static final Path LUERL_1_3_EBIN = Path.of("../shared/tools/luerl-1.3.0/ebin").toAbsolutePath().normalize();

    public enum Interpreter {
        LUA53("lua5.3", "src/test/lua/run-vectors-lua53.lua"),
        LUERL_1_0("escript", "src/test/erlang/run-vectors.escript"),
        LUERL_1_3("escript", "src/test/erlang/run-vectors.escript", LUERL_1_3_EBIN.toString());

        private final String command;
        private final Path runner;
        private final List<String> extraArgs;

        Interpreter(String command, String runner, String... extraArgs) {
            this.command = command;
            this.runner = Path.of(runner).toAbsolutePath();
            this.extraArgs = List.of(extraArgs);
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
        return switch (interpreter) {
            case LUA53 -> true;
            case LUERL_1_0 -> succeeds(List.of("erl", "-noshell", "-eval",
                "halt(case code:ensure_loaded(luerl_new) of {module, _} -> 0; _ -> 1 end)."));
            // the 1.3.0 API is luerl:init/0 and friends; Debian's 1.0 has no luerl:call_function_dec
            case LUERL_1_3 -> succeeds(List.of("erl", "-noshell", "-pa", LUERL_1_3_EBIN.toString(), "-eval",
                "halt(case erlang:function_exported(element(2, code:ensure_loaded(luerl)), call_function_dec, 3) "
                    + "of true -> 0; false -> 1 end)."));
        };
    }

    /**
     * Skips the calling test when the interpreter is missing, unless the environment variable
     * {@code CI} is set: there a missing interpreter fails the test.
     */
    public static void assumeAvailable(Interpreter interpreter) {
        if (available(interpreter)) {
            return;
        }
        String missing = interpreter + (interpreter == Interpreter.LUERL_1_3
            ? " is not in " + LUERL_1_3_EBIN + " (or erlang-base is not installed)"
            : " is not installed (apt-get install -y lua5.3 erlang-base erlang-luerl)");
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
            List<String> command = new ArrayList<>(List.of(interpreter.command, interpreter.runner.toString(),
                moduleFile.toAbsolutePath().toString(), skills.toString(), luaVectors.toString()));
            command.addAll(interpreter.extraArgs);
            Process process = new ProcessBuilder(command)
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

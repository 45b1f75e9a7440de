package com.permamind.gateway.dev;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Commands the suite and the cluster tests run beside the JVMs they start. */
public final class Processes {

    private Processes() {
    }

    /** A command's output, standard error included; empty when it could not run. */
    public static String output(List<String> command) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            process.waitFor(10, TimeUnit.SECONDS);
            return out;
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    /** {@code jcmd PID COMMAND...}'s output (the JDK's jcmd next to this JVM's java), or why there is none. */
    public static String jcmd(long pid, String... command) {
        List<String> line = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                Long.toString(pid)));
        line.addAll(List.of(command));
        String out = output(line).strip();
        return out.isEmpty() ? "(no output from jcmd)" : out;
    }
}

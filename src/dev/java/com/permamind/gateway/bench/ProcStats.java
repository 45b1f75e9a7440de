package com.permamind.gateway.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * CPU time and resident memory from Linux {@code /proc}: how many cores a process used during a
 * run, how busy the whole machine was (other developers share it), and a process's RSS.
 */
final class ProcStats {

    /** USER_HZ: the unit of the tick counts in /proc; 100 on every Linux this runs on. */
    private static final double TICKS_PER_SECOND = 100.0;

    private ProcStats() {
    }

    /** utime + stime of a process, in ticks; -1 once it is gone. */
    static long processTicks(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            // the command name (field 2) may hold spaces: count fields after its closing parenthesis
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** Busy and total ticks of the whole machine (all cores), from the first line of /proc/stat. */
    static long[] machineTicks() {
        try {
            String[] fields = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long total = 0;
            long idle = 0;
            for (int i = 1; i < fields.length; i++) {
                long value = Long.parseLong(fields[i]);
                // guest time is already counted in user time
                if (i <= 8) {
                    total += value;
                }
                if (i == 4 || i == 5) {
                    idle += value;
                }
            }
            return new long[] {total - idle, total};
        } catch (IOException | RuntimeException e) {
            return new long[] {0, 0};
        }
    }

    /** VmRSS in MiB, or -1. */
    static double rssMib(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("\\D", "")) / 1024.0;
                }
            }
        } catch (IOException | RuntimeException e) {
            // gone
        }
        return -1;
    }

    /** The memory lines of /proc/PID/status (VmRSS, RssAnon, RssFile, VmSwap...) in KiB, and Threads. */
    static Map<String, Long> memoryStatus(long pid) {
        Map<String, Long> status = new LinkedHashMap<>();
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                int colon = line.indexOf(':');
                String key = colon < 0 ? "" : line.substring(0, colon);
                if (key.startsWith("Vm") || key.startsWith("Rss") || key.equals("Threads")) {
                    status.put(key.equals("Threads") ? key : key + "KiB", Long.parseLong(line.replaceAll("\\D", "")));
                }
            }
        } catch (IOException | RuntimeException e) {
            // gone
        }
        return status;
    }

    /**
     * The process's largest resident mappings from /proc/PID/smaps, one line each (address range, size and
     * Rss in KiB, file), and what the rest add up to: the heap, the code cache and the class-data archive
     * are each one mapping (their addresses are in the JVM's own accounts), thread stacks are many small ones.
     */
    static String residentMappings(long pid, int top) {
        record Mapping(String range, String file, long sizeKib, long rssKib) {
        }
        List<Mapping> mappings = new ArrayList<>();
        try {
            String range = null;
            String file = "";
            long size = 0;
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "smaps"))) {
                String[] fields = line.trim().split("\\s+");
                if (fields[0].matches("[0-9a-f]+-[0-9a-f]+")) {
                    range = fields[0];
                    file = fields.length > 5 ? fields[5] : "[anon]";
                } else if (fields[0].equals("Size:")) {
                    size = Long.parseLong(fields[1]);
                } else if (fields[0].equals("Rss:") && range != null) {
                    mappings.add(new Mapping(range, file, size, Long.parseLong(fields[1])));
                }
            }
        } catch (IOException | RuntimeException e) {
            return "(no smaps: " + e + ")";
        }
        mappings.sort(Comparator.comparingLong(Mapping::rssKib).reversed());
        StringBuilder out = new StringBuilder(String.format("%-34s %10s %10s  %s%n", "mapping", "size KiB", "Rss KiB", "file"));
        mappings.stream().limit(top).forEach(m ->
                out.append(String.format("%-34s %10d %10d  %s%n", m.range(), m.sizeKib(), m.rssKib(), m.file())));
        List<Mapping> rest = mappings.subList(Math.min(top, mappings.size()), mappings.size());
        out.append(String.format("%d more mappings (%d anonymous)             %10d  ", rest.size(),
                rest.stream().filter(m -> m.file().equals("[anon]")).count(),
                rest.stream().mapToLong(Mapping::rssKib).sum()));
        return out.toString();
    }

    static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException e) {
            return "?";
        }
    }

    /**
     * CPU used between {@link #start} and {@link Window#stop}: cores per process (named), cores
     * for the whole machine, and the rest ("other": processes outside the suite).
     */
    static Window start(Map<String, Long> pids) {
        return new Window(pids);
    }

    static final class Window {
        private final Map<String, Long> pids;
        private final Map<String, Long> startTicks = new LinkedHashMap<>();
        private final long[] startMachine;
        private final long startNanos;
        /** Last tick count seen for processes that may exit before stop() (wrk). */
        private final Map<String, Long> lastSeen = new LinkedHashMap<>();

        private Window(Map<String, Long> pids) {
            this.pids = new LinkedHashMap<>(pids);
            this.pids.forEach((name, pid) -> startTicks.put(name, processTicks(pid)));
            this.startMachine = machineTicks();
            this.startNanos = System.nanoTime();
        }

        /** Adds a process that started after the window (wrk), counted from zero. */
        synchronized void track(String name, long pid) {
            pids.put(name, pid);
            startTicks.put(name, 0L);
        }

        /** Reads the processes' counters now, so a process that exits later still counts. */
        synchronized void sample() {
            pids.forEach((name, pid) -> {
                long ticks = processTicks(pid);
                if (ticks >= 0) {
                    lastSeen.put(name, ticks);
                }
            });
        }

        /** Cores used: per tracked process, "machine" (all processes) and "other" (not tracked). */
        synchronized Map<String, Double> stop(List<String> ours) {
            sample();
            double seconds = (System.nanoTime() - startNanos) / 1e9;
            long[] machine = machineTicks();
            Map<String, Double> cores = new LinkedHashMap<>();
            double oursTotal = 0;
            for (String name : pids.keySet()) {
                Long last = lastSeen.get(name);
                Long first = startTicks.get(name);
                if (last == null || first == null || first < 0) {
                    continue;
                }
                double used = (last - first) / TICKS_PER_SECOND / seconds;
                cores.put(name, round(used));
                if (ours.contains(name)) {
                    oursTotal += used;
                }
            }
            double machineCores = (machine[0] - startMachine[0]) / TICKS_PER_SECOND / seconds;
            cores.put("machine", round(machineCores));
            cores.put("other", round(Math.max(0, machineCores - oursTotal)));
            return cores;
        }
    }

    static double round(double value) {
        return Math.round(value * 1000) / 1000.0;
    }
}

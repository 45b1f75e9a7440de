package com.permamind.gateway.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;

/**
 * The request paths the wrk scripts replay, drawn deterministically (fixed seeds) from the
 * generated registry state:
 * <ul>
 *   <li>the realistic mix: skills, search terms and list pages by Zipf popularity;</li>
 *   <li>distinct keys for the uncached measurements: {@code /api/skills/{name}?version={v}} pairs,
 *   which the mix never asks for, split into disjoint sets, one per run, so that no run can be
 *   answered from a cache another run filled;</li>
 *   <li>download events ({@code name version} lines).</li>
 * </ul>
 */
final class RequestLists {

    static final int MIX_LINES = 200_000;
    static final int EVENT_LINES = 50_000;
    static final int UNKNOWN_VERSIONS_PER_READ = 39;

    /** A read of the node: the Lua function and its parameters. */
    record NodeRead(String function, Map<String, String> params) {
    }

    /** One part of the distinct (name, version) keys: what the gateway is asked, and the same read sent straight to the node. */
    record Distinct(Path gateway, Path direct, int size) {
    }

    final String hotSkill;
    final Path mix;
    final Path events;
    /**
     * Keys for warming the gateway's JIT up before anything is measured (never asked again): real
     * reads, each followed by reads of unknown versions.
     */
    final Distinct warmUp;
    final Distinct fallbackWarmUp;
    final Distinct uncachedWarmUp;
    final Distinct uncached0;
    final Distinct uncached300;
    final Distinct outage;
    final Distinct recovery1;
    final Distinct recovery2;
    final int mixDistinctKeys;
    /**
     * For each distinct mix path whose answer does not depend on the clock, the read the gateway
     * sends the node for it (function and parameters, as RegistryRequests normalises them), so the
     * simulated node can compute its answers before the mix is measured.
     */
    final Map<String, NodeRead> nodeReads = new LinkedHashMap<>();
    final int skillCount;
    final int versionCount;
    private final List<String> mixLines;

    RequestLists(JsonNode skills, String hyperbeamReadPrefix, Path dir) throws IOException {
        Random random = new Random(20251122L);
        List<String> names = new ArrayList<>();
        skills.fieldNames().forEachRemaining(names::add);
        Collections.sort(names);
        skillCount = names.size();
        // popularity: a seeded shuffle, so popular skills are spread over the alphabet
        List<String> byPopularity = new ArrayList<>(names);
        Collections.shuffle(byPopularity, random);
        hotSkill = byPopularity.get(0);

        Set<String> words = new TreeSet<>();
        Set<String> tags = new TreeSet<>();
        Set<String> authors = new TreeSet<>();
        List<String[]> pairs = new ArrayList<>();
        for (String name : names) {
            JsonNode entry = skills.get(name);
            for (String part : name.split("-")) {
                if (!part.chars().allMatch(Character::isDigit)) {
                    words.add(part);
                }
            }
            JsonNode latest = entry.path("versions").path(entry.path("latest").asText());
            latest.path("tags").forEach(tag -> tags.add(tag.asText()));
            authors.add(latest.path("author").asText());
            entry.path("versions").fieldNames().forEachRemaining(version -> pairs.add(new String[] {name, version}));
        }
        versionCount = pairs.size();
        List<String> terms = new ArrayList<>();
        terms.add("");
        terms.addAll(words);
        terms.addAll(tags);
        List<String> termsByPopularity = new ArrayList<>(new TreeSet<>(terms));
        Collections.shuffle(termsByPopularity, random);
        List<String> tagList = new ArrayList<>(tags);
        List<String> authorList = new ArrayList<>(authors);

        Zipf skillZipf = new Zipf(byPopularity.size(), 1.0);
        Zipf termZipf = new Zipf(termsByPopularity.size(), 1.0);
        Zipf pageZipf = new Zipf(Math.max(1, (skillCount + 19) / 20), 1.2);
        Zipf searchPageZipf = new Zipf(5, 2.0);
        Zipf tagZipf = new Zipf(tagList.size(), 1.0);
        Zipf authorZipf = new Zipf(authorList.size(), 1.0);

        mixLines = new ArrayList<>(MIX_LINES);
        for (int i = 0; i < MIX_LINES; i++) {
            int kind = random.nextInt(100);
            String rawSkill = byPopularity.get(skillZipf.next(random));
            String skill = encode(rawSkill);
            String path;
            NodeRead read = null;
            if (kind < 50) {
                path = "/api/skills/" + skill;
                read = new NodeRead("get-skill", Map.of("name", rawSkill));
            } else if (kind < 60) {
                path = "/api/skills/" + skill + "/versions";
                read = new NodeRead("get-skill-versions", Map.of("name", rawSkill));
            } else if (kind < 70) {
                path = "/api/skills/" + skill + "/downloads";
            } else if (kind < 92) {
                int page = searchPageZipf.next(random);
                String term = termsByPopularity.get(termZipf.next(random));
                path = "/api/skills/search?q=" + encode(term) + (page == 0 ? "" : "&offset=" + page * 20);
                read = new NodeRead("search-skills", Map.of("q", term, "limit", "20", "offset",
                        Integer.toString(page * 20)));
            } else if (kind < 98) {
                int offset = pageZipf.next(random) * 20;
                StringBuilder list = new StringBuilder("/api/skills?offset=").append(offset);
                Map<String, String> params = new LinkedHashMap<>(Map.of("limit", "20", "offset", Integer.toString(offset)));
                int filter = random.nextInt(10);
                if (filter < 3) {
                    String tag = tagList.get(tagZipf.next(random));
                    list.append("&tags=").append(encode(tag));
                    params.put("tags", tag.toLowerCase(Locale.ROOT));
                } else if (filter < 5) {
                    String author = authorList.get(authorZipf.next(random));
                    list.append("&author=").append(encode(author));
                    params.put("author", author.toLowerCase(Locale.ROOT));
                }
                path = list.toString();
                read = new NodeRead("list-skills", params);
            } else if (kind < 99) {
                path = "/api/info";
                read = new NodeRead("info", Map.of());
            } else {
                path = "/api/stats/downloads";
            }
            mixLines.add(path);
            if (read != null) {
                nodeReads.putIfAbsent(path, read);
            }
        }
        mixDistinctKeys = new HashSet<>(mixLines).size();
        mix = write(dir.resolve("mix.txt"), mixLines);

        List<String> events = new ArrayList<>(EVENT_LINES);
        for (int i = 0; i < EVENT_LINES; i++) {
            String name = byPopularity.get(skillZipf.next(random));
            events.add(encode(name) + " " + skills.get(name).path("latest").asText());
        }
        this.events = write(dir.resolve("events.txt"), events);

        Collections.shuffle(pairs, random);
        int total = pairs.size();
        warmUp = distinct(dir, "warm-up", withUnknownVersions(pairs.subList(0, total * 27 / 100)), hyperbeamReadPrefix);
        fallbackWarmUp = distinct(dir, "fallback-warm-up",
                withUnknownVersions(pairs.subList(total * 27 / 100, total * 30 / 100)), hyperbeamReadPrefix);
        uncachedWarmUp = distinct(dir, "uncached-warm-up", pairs.subList(total * 30 / 100, total * 40 / 100),
                hyperbeamReadPrefix);
        uncached0 = distinct(dir, "uncached-0ms", pairs.subList(total * 40 / 100, total * 55 / 100), hyperbeamReadPrefix);
        uncached300 = distinct(dir, "uncached-300ms", pairs.subList(total * 55 / 100, total * 60 / 100),
                hyperbeamReadPrefix);
        outage = distinct(dir, "failover-outage", pairs.subList(total * 60 / 100, total * 75 / 100),
                hyperbeamReadPrefix);
        recovery1 = distinct(dir, "failover-recovery-1", pairs.subList(total * 75 / 100, total * 87 / 100),
                hyperbeamReadPrefix);
        recovery2 = distinct(dir, "failover-recovery-2", pairs.subList(total * 87 / 100, total),
                hyperbeamReadPrefix);
    }

    /**
     * The best hit rate any cache could reach on a run that replayed the first {@code requests}
     * lines of the mix (cycling) after earlier runs had replayed {@code before} lines: only keys
     * never asked before miss. (Queries that send the gateway's minute as {@code now} get a new key
     * every minute; that is not counted here.)
     */
    double idealHitRate(long before, long requests) {
        if (requests <= 0) {
            return Double.NaN;
        }
        Set<String> seen = new HashSet<>();
        for (long i = 0; i < Math.min(before, mixLines.size()); i++) {
            seen.add(mixLines.get((int) i));
        }
        long misses = 0;
        for (long i = 0; i < Math.min(requests, mixLines.size()); i++) {
            if (seen.add(mixLines.get((int) i))) {
                misses++;
            }
        }
        return 1.0 - (double) misses / requests;
    }

    /**
     * Each read followed by {@link #UNKNOWN_VERSIONS_PER_READ} reads of versions no skill has
     * (999.x.y; versions are semver, and the generator's are far lower): the node answers those
     * (not found) with little Lua, so a warm-up on them runs at the gateway's pace, not the node's.
     */
    private static List<String[]> withUnknownVersions(List<String[]> pairs) {
        List<String[]> reads = new ArrayList<>(pairs.size() * (UNKNOWN_VERSIONS_PER_READ + 1));
        for (int i = 0; i < pairs.size(); i++) {
            reads.add(pairs.get(i));
            for (int k = 0; k < UNKNOWN_VERSIONS_PER_READ; k++) {
                reads.add(new String[] {pairs.get((i + k + 1) % pairs.size())[0], "999." + i + "." + k});
            }
        }
        return reads;
    }

    private static Distinct distinct(Path dir, String name, List<String[]> pairs, String hyperbeamReadPrefix)
            throws IOException {
        List<String> gateway = new ArrayList<>(pairs.size());
        List<String> direct = new ArrayList<>(pairs.size());
        for (String[] pair : pairs) {
            gateway.add("/api/skills/" + encode(pair[0]) + "?version=" + encode(pair[1]));
            // the parameters the gateway sends for get-skill, in its order (name, version)
            direct.add(hyperbeamReadPrefix + "/get-skill/serialize~json@1.0?name=" + encode(pair[0]) + "&version="
                    + encode(pair[1]));
        }
        return new Distinct(write(dir.resolve(name + "-gateway.txt"), gateway),
                write(dir.resolve(name + "-direct.txt"), direct), pairs.size());
    }

    private static Path write(Path file, List<String> lines) throws IOException {
        Files.write(file, lines, StandardCharsets.UTF_8);
        return file;
    }

    static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** Ranks 0..n-1 with P(k) proportional to 1/(k+1)^s. */
    static final class Zipf {
        private final double[] cumulative;

        Zipf(int n, double exponent) {
            cumulative = new double[n];
            double sum = 0;
            for (int k = 0; k < n; k++) {
                sum += 1.0 / Math.pow(k + 1, exponent);
                cumulative[k] = sum;
            }
            for (int k = 0; k < n; k++) {
                cumulative[k] /= sum;
            }
        }

        int next(Random random) {
            double u = random.nextDouble();
            int low = 0;
            int high = cumulative.length - 1;
            while (low < high) {
                int mid = (low + high) >>> 1;
                if (cumulative[mid] < u) {
                    low = mid + 1;
                } else {
                    high = mid;
                }
            }
            return low;
        }
    }
}

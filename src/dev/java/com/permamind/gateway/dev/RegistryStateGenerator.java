package com.permamind.gateway.dev;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Random;

/**
 * Generates registry states of any size in the fixture's shape, deterministically from a seed,
 * for benchmarks and load tests (the 5,000-skill state is about 30 MB of JSON).
 */
public final class RegistryStateGenerator {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long DAY_MS = 86_400_000L;
    private static final List<String> WORDS = List.of("ao", "arweave", "permaweb", "hyperbeam", "lua", "wallet",
            "bundler", "gateway", "dao", "token", "staking", "oracle", "cron", "scheduler", "memory", "agent",
            "messaging", "security", "docker", "python", "react", "typescript", "search", "cache", "ledger",
            "vote", "nft", "dex", "bridge", "audit", "prompt", "workflow", "storage", "signing", "crypto");
    private static final List<String> TAGS = List.of("ao", "beginner", "advanced", "tooling", "data", "defi",
            "infra", "ai", "testing", "docs", "security", "lua");
    private static final List<String> AUTHORS = List.of("Ada Lovelace", "Grace Hopper", "AO Team", "Linus",
            "Satoshi N.", "Marta Rossi", "Alan Turing", "Barbara Liskov");

    private RegistryStateGenerator() {
    }

    /** A state document {@code {"now", "skills"}} with {@code skillCount} skills. */
    public static ObjectNode generate(int skillCount, long now, long seed) {
        Random random = new Random(seed);
        ObjectNode skills = JSON.createObjectNode();
        for (int i = 0; i < skillCount; i++) {
            String name = WORDS.get(random.nextInt(WORDS.size())) + "-" + WORDS.get(random.nextInt(WORDS.size()))
                    + "-" + i;
            skills.set(name, skill(name, random, now));
        }
        ObjectNode document = JSON.createObjectNode();
        document.put("now", now);
        document.set("skills", skills);
        return document;
    }

    private static ObjectNode skill(String name, Random random, long now) {
        ObjectNode versions = JSON.createObjectNode();
        int versionCount = 1 + random.nextInt(6);
        String author = AUTHORS.get(random.nextInt(AUTHORS.size()));
        String version = null;
        long published = now - (400 + random.nextInt(300)) * DAY_MS;
        for (int v = 0; v < versionCount; v++) {
            version = v / 3 + "." + v % 3 + "." + random.nextInt(13);
            published += random.nextInt(60) * DAY_MS;
            versions.set(version, record(name, version, author, published, random, now));
        }
        ObjectNode entry = JSON.createObjectNode();
        entry.put("latest", version);
        entry.set("versions", versions);
        return entry;
    }

    private static ObjectNode record(String name, String version, String author, long published, Random random,
            long now) {
        ObjectNode record = JSON.createObjectNode();
        record.put("name", name);
        record.put("version", version);
        StringBuilder description = new StringBuilder("Skill ").append(name).append(':');
        for (int w = 0; w < 6; w++) {
            description.append(' ').append(WORDS.get(random.nextInt(WORDS.size())));
        }
        record.put("description", description.append('.').toString());
        record.put("author", author);
        record.put("owner", "owner-" + Integer.toString(random.nextInt(1 << 20), 36));
        ArrayNode tags = record.putArray("tags");
        for (int t = random.nextInt(3); t > 0; t--) {
            tags.add(TAGS.get(random.nextInt(TAGS.size())));
        }
        record.putArray("dependencies");
        record.put("arweaveTxId", Long.toString(random.nextLong() & Long.MAX_VALUE, 36) + "-tx");
        ObjectNode file = record.putArray("bundledFiles").addObject();
        file.put("name", "SKILL.md");
        file.put("size", "2.1 KB");
        file.put("type", "markdown");
        record.put("changelog", "Release " + version);
        ArrayNode stamps = record.putArray("downloadTimestamps");
        int downloads = random.nextInt(160);
        long span = Math.max(1, now - published);
        for (int d = 0; d < downloads; d++) {
            stamps.add(published + (long) (random.nextDouble() * span));
        }
        record.put("downloadCount", downloads);
        record.put("publishedAt", published);
        record.put("updatedAt", published + random.nextInt(86_400_000));
        return record;
    }
}

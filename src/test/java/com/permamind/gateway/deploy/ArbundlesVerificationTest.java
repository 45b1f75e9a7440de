package com.permamind.gateway.deploy;

import com.permamind.gateway.ans104.DataItem;
import com.permamind.gateway.ans104.Sha256;
import com.permamind.gateway.ans104.TestWallets;
import com.permamind.gateway.ans104.Arbundles;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The deployer's dry-run output, judged by arbundles (an implementation that shares no code with ours). */
class ArbundlesVerificationTest {

    @TempDir
    Path dir;

    @BeforeEach
    void needsArbundles() {
        Arbundles.assumeInstalled();
    }

    @Test
    void should_verify_with_arbundles() throws Exception {
        Path item = signedModule();

        Arbundles.Verdict verdict = Arbundles.verify(item);

        assertEquals(0, verdict.exitCode(), verdict.stderr());
        JsonNode report = verdict.report();
        assertTrue(report.path("valid").asBoolean());
        assertEquals(1, report.path("signatureType").asInt());
        assertEquals(DataItem.parse(Files.readAllBytes(item)).id(), report.path("id").asText());
        assertEquals("application/lua", tag(report, "Content-Type"));
        assertEquals(LuaModuleDeployer.MODULE_NAME, tag(report, "Module-Name"));
        assertEquals(Sha256.hex(Files.readAllBytes(Path.of("lua/registry.lua"))), tag(report, "Module-Sha256"));
    }

    @Test
    void should_be_rejected_by_arbundles_when_tampered() throws Exception {
        Path item = signedModule();
        byte[] bytes = Files.readAllBytes(item);
        bytes[bytes.length - 10] ^= 1;
        Path tampered = Files.write(dir.resolve("tampered.bin"), bytes);

        Arbundles.Verdict verdict = Arbundles.verify(tampered);

        assertNotEquals(0, verdict.exitCode());
        assertFalse(verdict.report().path("valid").asBoolean());
    }

    private Path signedModule() {
        Path item = dir.resolve("item.bin");
        int status = new LuaModuleDeployer(Map.of(), System.out, System.err, Clock.systemUTC())
            .run("--wallet", TestWallets.walletFile(dir).toString(), "--dry-run", item.toString(),
                "--log", dir.resolve("deployments.json").toString());
        assertEquals(0, status);
        return item;
    }

    private static String tag(JsonNode report, String name) {
        for (JsonNode tag : report.path("tags")) {
            if (tag.path("name").asText().equals(name)) {
                return tag.path("value").asText();
            }
        }
        return null;
    }
}

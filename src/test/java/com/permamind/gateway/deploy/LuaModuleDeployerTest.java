package com.permamind.gateway.deploy;

import com.permamind.gateway.ans104.Base64Url;
import com.permamind.gateway.ans104.DataItem;
import com.permamind.gateway.ans104.Sha256;
import com.permamind.gateway.ans104.TestWallets;
import com.permamind.gateway.arweave.Deployment;
import com.permamind.gateway.arweave.DeploymentLog;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LuaModuleDeployerTest {

    private static final Path MODULE = Path.of("lua/registry.lua");
    private static final Instant NOW = Instant.parse("2025-11-22T13:10:42.5Z");

    @TempDir
    Path dir;

    private final StandInBundler bundler = new StandInBundler();
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @AfterEach
    void stopBundler() {
        bundler.close();
    }

    @Test
    void should_upload_the_signed_module_and_record_its_id() throws Exception {
        int status = deploy(Map.of(), "--wallet", wallet(), "--bundler", bundler.url().toString(), "--log", log());

        assertEquals(0, status, err.toString());
        assertEquals(1, bundler.uploads().size());
        StandInBundler.Upload upload = bundler.uploads().get(0);
        assertEquals("POST", upload.method());
        assertEquals("/v1/tx", upload.path());
        assertEquals("application/octet-stream", upload.contentType());

        DataItem received = DataItem.parse(upload.body());
        assertTrue(received.verify());
        assertEquals(Base64Url.encode(Sha256.digest(received.signature())), received.id());
        byte[] module = Files.readAllBytes(MODULE);
        assertArrayEquals(module, received.data());
        assertEquals("application/lua", received.tag("Content-Type").orElseThrow());
        assertEquals("permamind-registry", received.tag("Module-Name").orElseThrow());
        assertEquals("1", received.tag("Module-Version").orElseThrow());
        assertEquals(Sha256.hex(module), received.tag("Module-Sha256").orElseThrow());
        assertEquals(32, received.anchor().orElseThrow().length);

        Deployment entry = DeploymentLog.read(Path.of(log())).entries().get(0);
        assertEquals(new Deployment(received.id(), "2025-11-22T13:10:42Z", "permamind-registry", "1",
            Sha256.hex(module), module.length, bundler.url().toString(), TestWallets.wallet().address()), entry);
        assertTrue(out.toString().contains("uploaded data item " + received.id()), out.toString());
    }

    @Test
    void should_regenerate_deployments_md_beside_the_log() throws Exception {
        deploy(Map.of(), "--wallet", wallet(), "--bundler", bundler.url().toString(), "--log", log());

        String id = DataItem.parse(bundler.uploads().get(0).body()).id();
        String markdown = Files.readString(dir.resolve("DEPLOYMENTS.md"));
        assertEquals(DeploymentsMarkdown.render(DeploymentLog.read(Path.of(log()))), markdown);
        assertTrue(markdown.contains("## " + id));
        assertTrue(markdown.contains("https://hb.randao.net/afj-S1wpWK07iSs9jIttoPJsptf4Db6ubZ_CLODdEpQ"
            + "~process@1.0/now/~lua@5.3a&module=" + id + "/info/serialize~json@1.0"), markdown);
    }

    @Test
    void should_append_to_the_log_and_number_the_versions() throws Exception {
        deploy(Map.of(), "--wallet", wallet(), "--bundler", bundler.url().toString(), "--log", log());
        deploy(Map.of(), "--wallet", wallet(), "--bundler", bundler.url().toString(), "--log", log());

        DeploymentLog log = DeploymentLog.read(Path.of(log()));
        assertEquals(2, log.entries().size());
        assertEquals("2", log.entries().get(1).moduleVersion());
        assertEquals(DataItem.parse(bundler.uploads().get(1).body()).id(), log.newestModuleId().orElseThrow());
    }

    @Test
    void should_write_the_item_to_a_file_on_dry_run_without_uploading_or_logging() throws Exception {
        Path item = dir.resolve("item.bin");

        int status = deploy(Map.of(), "--wallet", wallet(), "--bundler", bundler.url().toString(), "--log", log(),
            "--dry-run", item.toString(), "--module-version", "0.1.0");

        assertEquals(0, status, err.toString());
        DataItem written = DataItem.parse(Files.readAllBytes(item));
        assertTrue(written.verify());
        assertEquals("0.1.0", written.tag("Module-Version").orElseThrow());
        assertTrue(bundler.uploads().isEmpty());
        assertFalse(Files.exists(Path.of(log())));
        assertFalse(Files.exists(dir.resolve("DEPLOYMENTS.md")));
    }

    @Test
    void should_take_the_wallet_from_the_environment() throws Exception {
        int status = deploy(Map.of("ARWEAVE_WALLET", wallet()), "--bundler", bundler.url().toString(), "--log", log());

        assertEquals(0, status, err.toString());
        assertEquals(1, bundler.uploads().size());
    }

    @Test
    void should_say_that_a_wallet_is_needed() {
        int status = deploy(Map.of(), "--log", log());

        assertEquals(2, status);
        assertTrue(err.toString().startsWith("error: no wallet: pass --wallet FILE or set ARWEAVE_WALLET\nusage:"),
            err.toString());
    }

    @Test
    void should_fail_clearly_when_the_wallet_file_is_missing() {
        String missing = dir.resolve("missing.json").toString();

        int status = deploy(Map.of(), "--wallet", missing, "--bundler", bundler.url().toString(), "--log", log());

        assertEquals(1, status);
        assertEquals("error: wallet file " + missing + " does not exist\n", err.toString());
        assertTrue(bundler.uploads().isEmpty());
    }

    @Test
    void should_fail_clearly_when_the_wallet_is_malformed() throws Exception {
        Path malformed = Files.writeString(dir.resolve("wallet.json"), "{\"kty\":\"RSA\",\"n\":\"AQAB\"}");

        int status = deploy(Map.of(), "--wallet", malformed.toString(), "--bundler", bundler.url().toString(),
            "--log", log());

        assertEquals(1, status);
        assertEquals("error: wallet file " + malformed
            + " has no 'e' (an Arweave JWK needs n, e, d, p, q, dp, dq, qi)\n", err.toString());
    }

    @Test
    void should_leave_the_log_alone_when_the_bundler_refuses() {
        bundler.failWith(402);

        int status = deploy(Map.of(), "--wallet", wallet(), "--bundler", bundler.url().toString(), "--log", log());

        assertEquals(1, status);
        assertTrue(err.toString().startsWith("error: bundler " + bundler.url() + "/tx answered HTTP 402: "
            + "{\"error\":\"insufficient balance\"}"), err.toString());
        assertFalse(Files.exists(Path.of(log())));
    }

    @Test
    void should_fail_clearly_when_the_bundler_is_unreachable() {
        String closed = bundler.url().toString();
        bundler.close();

        int status = deploy(Map.of(), "--wallet", wallet(), "--bundler", closed, "--log", log());

        assertEquals(1, status);
        assertTrue(err.toString().startsWith("error: bundler " + closed + "/tx unreachable"), err.toString());
        assertFalse(Files.exists(Path.of(log())));
    }

    private int deploy(Map<String, String> env, String... args) {
        PrintStream stdout = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream stderr = new PrintStream(err, true, StandardCharsets.UTF_8);
        return new LuaModuleDeployer(env, stdout, stderr, Clock.fixed(NOW, ZoneOffset.UTC)).run(args);
    }

    private String wallet() {
        return TestWallets.walletFile(dir).toString();
    }

    private String log() {
        return dir.resolve("deployments.json").toString();
    }
}

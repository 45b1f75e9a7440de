package com.permamind.gateway.deploy;

import com.permamind.gateway.ans104.ArweaveWallet;
import com.permamind.gateway.ans104.Base64Url;
import com.permamind.gateway.ans104.DataItem;
import com.permamind.gateway.ans104.Sha256;
import com.permamind.gateway.ans104.Tag;
import com.permamind.gateway.ans104.WalletException;
import com.permamind.gateway.arweave.Deployment;
import com.permamind.gateway.arweave.DeploymentLog;

import static java.nio.charset.StandardCharsets.US_ASCII;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

/**
 * The deploy tool: publishes lua/registry.lua to Arweave. Signs it as an ANS-104 data item with
 * the project's wallet, uploads it to a bundler, and records the id in lua/deployments.json and
 * lua/DEPLOYMENTS.md. With {@code --dry-run} it only writes the signed item to a file. It lives in
 * src/deploy, outside the gateway's classes (docs/lua-deployment.md):
 *
 * <pre>
 * ops/with-jdk25 mvn -q test-compile exec:java -Dexec.mainClass=com.permamind.gateway.deploy.LuaModuleDeployer \
 *     -Dexec.args="--wallet path/to/wallet.json [--dry-run out.bin] [--bundler URL]"
 * </pre>
 *
 * Exit status: 0 done, 1 failed (wallet, module, upload or log), 2 bad arguments.
 */
public final class LuaModuleDeployer {

    public static final String MODULE_NAME = "permamind-registry";
    public static final String CONTENT_TYPE = "application/lua";
    static final Path DEFAULT_MODULE = Path.of("lua/registry.lua");
    static final Duration UPLOAD_TIMEOUT = Duration.ofSeconds(60);

    private static final SecureRandom RANDOM = new SecureRandom();

    private final Map<String, String> env;
    private final PrintStream out;
    private final PrintStream err;
    private final Clock clock;

    public LuaModuleDeployer(Map<String, String> env, PrintStream out, PrintStream err, Clock clock) {
        this.env = env;
        this.out = out;
        this.err = err;
        this.clock = clock;
    }

    public static void main(String[] args) {
        int status = new LuaModuleDeployer(System.getenv(), System.out, System.err, Clock.systemUTC()).run(args);
        // exec:java runs us inside Maven's JVM: exit only to report a failure.
        if (status != 0) {
            System.exit(status);
        }
    }

    public int run(String... args) {
        DeployOptions options;
        try {
            options = DeployOptions.parse(args, env);
        } catch (IllegalArgumentException e) {
            err.println("error: " + e.getMessage());
            err.println(DeployOptions.USAGE);
            return 2;
        }
        if (options.help()) {
            out.println(DeployOptions.USAGE);
            return 0;
        }
        try {
            return deploy(options);
        } catch (WalletException | BundlerException e) {
            err.println("error: " + e.getMessage());
        } catch (NoSuchFileException e) {
            err.println("error: " + e.getFile() + " does not exist");
        } catch (IOException e) {
            err.println("error: " + e);
        } catch (UncheckedIOException e) {
            err.println("error: " + e.getMessage() + ": " + e.getCause());
        }
        return 1;
    }

    private int deploy(DeployOptions options) throws IOException, BundlerException {
        ArweaveWallet wallet = ArweaveWallet.load(options.wallet());
        byte[] module = Files.readAllBytes(options.module());
        DeploymentLog log = DeploymentLog.read(options.log());
        String version = options.moduleVersion().orElse(Integer.toString(log.entries().size() + 1));
        String sha256 = Sha256.hex(module);
        DataItem item = DataItem.sign(wallet, randomAnchor(), List.of(
            new Tag("Content-Type", CONTENT_TYPE),
            new Tag("Module-Name", MODULE_NAME),
            new Tag("Module-Version", version),
            new Tag("Module-Sha256", sha256)), module);
        out.println("signed " + options.module() + " (" + module.length + " bytes, sha256 " + sha256 + ") as "
            + MODULE_NAME + " " + version + " by " + wallet.address());

        if (options.dryRun().isPresent()) {
            Path file = options.dryRun().get();
            Files.write(file, item.toBytes());
            out.println("dry run: wrote data item " + item.id() + " to " + file + "; nothing uploaded");
            return 0;
        }

        Bundler bundler = new Bundler(options.bundler(), UPLOAD_TIMEOUT);
        bundler.upload(item);
        // Said before the log is written: should writing fail, the id is not lost.
        out.println("uploaded data item " + item.id() + " to " + bundler.url());
        DeploymentLog updated = log.append(new Deployment(item.id(),
            clock.instant().truncatedTo(ChronoUnit.SECONDS).toString(), MODULE_NAME, version, sha256, module.length,
            bundler.url().toString(), wallet.address()));
        updated.write(options.log());
        Path markdown = options.log().resolveSibling(DeploymentsMarkdown.FILE_NAME);
        Files.writeString(markdown, DeploymentsMarkdown.render(updated));
        out.println("recorded in " + options.log() + " and " + markdown);
        out.println("module source: " + DeploymentsMarkdown.ARWEAVE_GATEWAY + "/raw/" + item.id()
            + " (readable once the bundle has been posted)");
        return 0;
    }

    // Drawn from the base64url alphabet: still 192 random bits, and the anchor survives tools
    // that show it as text (arbundles decodes it as UTF-8).
    private static byte[] randomAnchor() {
        byte[] entropy = new byte[24];
        RANDOM.nextBytes(entropy);
        return Base64Url.encode(entropy).getBytes(US_ASCII);
    }
}

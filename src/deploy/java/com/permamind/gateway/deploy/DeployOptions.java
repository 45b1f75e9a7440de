package com.permamind.gateway.deploy;

import com.permamind.gateway.arweave.DeploymentLog;

import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * The deployer's command line. The wallet comes from {@code --wallet} or the
 * {@value #WALLET_VARIABLE} environment variable; everything else has a default.
 */
record DeployOptions(Path wallet, Path module, Path log, URI bundler, Optional<Path> dryRun,
        Optional<String> moduleVersion, boolean help) {

    static final String WALLET_VARIABLE = "ARWEAVE_WALLET";

    static final String USAGE = String.join("\n",
        "usage: LuaModuleDeployer --wallet WALLET.json [--dry-run OUT.bin] [--bundler URL]",
        "                         [--module lua/registry.lua] [--log lua/deployments.json] [--module-version V]",
        "  --wallet          Arweave JWK wallet file (default: $" + WALLET_VARIABLE + ")",
        "  --dry-run         write the signed data item to OUT.bin; no upload, the log is left alone",
        "  --bundler         bundler base URL, the item is POSTed to URL/tx (default " + Bundler.DEFAULT_URL + ")",
        "  --module          the Lua module to publish (default " + LuaModuleDeployer.DEFAULT_MODULE + ")",
        "  --log             the deployment log; DEPLOYMENTS.md is written beside it (default "
            + DeploymentLog.DEFAULT_FILE + ")",
        "  --module-version  the Module-Version tag (default: the publication's number in the log)");

    /** Throws IllegalArgumentException with a message for the user when the arguments do not fit. */
    static DeployOptions parse(String[] args, Map<String, String> env) {
        Path wallet = null;
        Path module = LuaModuleDeployer.DEFAULT_MODULE;
        Path log = DeploymentLog.DEFAULT_FILE;
        URI bundler = Bundler.DEFAULT_URL;
        Path dryRun = null;
        String moduleVersion = null;
        for (int i = 0; i < args.length; i++) {
            String option = args[i];
            if (option.equals("--help") || option.equals("-h")) {
                return new DeployOptions(null, module, log, bundler, Optional.empty(), Optional.empty(), true);
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(option.startsWith("--") ? option + " needs a value"
                    : "unexpected argument " + option);
            }
            String value = args[++i];
            switch (option) {
                case "--wallet" -> wallet = Path.of(value);
                case "--module" -> module = Path.of(value);
                case "--log" -> log = Path.of(value);
                case "--bundler" -> bundler = httpUrl(value);
                case "--dry-run" -> dryRun = Path.of(value);
                case "--module-version" -> moduleVersion = value;
                default -> throw new IllegalArgumentException("unknown option " + option);
            }
        }
        if (wallet == null) {
            String fromEnv = env.get(WALLET_VARIABLE);
            if (fromEnv == null || fromEnv.isBlank()) {
                throw new IllegalArgumentException("no wallet: pass --wallet FILE or set "
                    + WALLET_VARIABLE);
            }
            wallet = Path.of(fromEnv);
        }
        return new DeployOptions(wallet, module, log, bundler, Optional.ofNullable(dryRun),
            Optional.ofNullable(moduleVersion), false);
    }

    private static URI httpUrl(String value) {
        try {
            URI uri = URI.create(value);
            if (("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null) {
                return uri;
            }
        } catch (IllegalArgumentException e) {
            // answered below with the same message
        }
        throw new IllegalArgumentException("--bundler needs an http(s) URL, not " + value);
    }
}

package com.permamind.gateway.ans104;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.RSAKeyGenParameterSpec;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A throwaway Arweave wallet for tests: a 4096-bit RSA key generated once per test run (that
 * takes a few seconds) and exported as an Arweave JWK file.
 */
public final class TestWallets {

    private static RSAPrivateCrtKey key;

    private TestWallets() {
    }

    public static synchronized RSAPrivateCrtKey key() {
        if (key == null) {
            try {
                KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
                generator.initialize(new RSAKeyGenParameterSpec(4096, RSAKeyGenParameterSpec.F4));
                key = (RSAPrivateCrtKey) generator.generateKeyPair().getPrivate();
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }
        return key;
    }

    public static ArweaveWallet wallet() {
        return ArweaveWallet.of(key());
    }

    /** The key as Arweave writes wallet files. */
    public static Map<String, String> jwk() {
        RSAPrivateCrtKey k = key();
        Map<String, String> jwk = new LinkedHashMap<>();
        jwk.put("kty", "RSA");
        jwk.put("n", number(k.getModulus()));
        jwk.put("e", number(k.getPublicExponent()));
        jwk.put("d", number(k.getPrivateExponent()));
        jwk.put("p", number(k.getPrimeP()));
        jwk.put("q", number(k.getPrimeQ()));
        jwk.put("dp", number(k.getPrimeExponentP()));
        jwk.put("dq", number(k.getPrimeExponentQ()));
        jwk.put("qi", number(k.getCrtCoefficient()));
        return jwk;
    }

    public static Path writeJwk(Path file, Map<String, String> jwk) {
        try {
            Files.writeString(file, new ObjectMapper().writeValueAsString(jwk));
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Path walletFile(Path directory) {
        return writeJwk(directory.resolve("wallet.json"), jwk());
    }

    private static String number(BigInteger value) {
        return Base64Url.encode(ArweaveWallet.unsigned(value, (value.bitLength() + 7) / 8));
    }
}

package com.permamind.gateway.ans104;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.permamind.gateway.JsonMappers;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.InvalidAlgorithmParameterException;
import java.security.KeyFactory;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.SecureRandomSpi;
import java.security.Signature;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.security.spec.RSAKeyGenParameterSpec;
import java.security.spec.RSAPrivateCrtKeySpec;
import java.security.spec.RSAPublicKeySpec;

/**
 * An Arweave wallet: a 4096-bit RSA key, kept in an Arweave JWK file (kty, n, e, d, p, q, dp,
 * dq, qi, base64url). It signs with RSA-PSS over SHA-256, MGF1 SHA-256 and a 32-byte salt, the
 * salt length every Arweave verifier tries first.
 *
 * <p>The private key stays inside this object: {@link #toString()} shows the address only, and
 * error messages name the faulty field, never its value.
 */
public final class ArweaveWallet {

    static final int MODULUS_BYTES = 512;
    static final BigInteger PUBLIC_EXPONENT = BigInteger.valueOf(65537);
    static final PSSParameterSpec PSS = new PSSParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, 32, 1);

    private final RSAPrivateCrtKey key;
    private final byte[] owner;

    private ArweaveWallet(RSAPrivateCrtKey key) {
        this.key = key;
        this.owner = unsigned(key.getModulus(), MODULUS_BYTES);
    }

    /** Reads a JWK wallet file; a missing, unreadable or malformed file is a {@link WalletException}. */
    public static ArweaveWallet load(Path jwkFile) {
        byte[] json;
        try {
            json = Files.readAllBytes(jwkFile);
        } catch (NoSuchFileException e) {
            throw new WalletException("wallet file " + jwkFile + " does not exist");
        } catch (IOException e) {
            throw new WalletException("wallet file " + jwkFile + " cannot be read: " + e.getClass().getSimpleName());
        }
        JsonNode jwk;
        try {
            jwk = JsonMappers.mapper().readTree(json);
        } catch (JsonProcessingException e) {
            // Jackson's message quotes the text around the fault, which may be key material.
            throw new WalletException("wallet file " + jwkFile + " is not JSON");
        } catch (IOException e) {
            throw new WalletException("wallet file " + jwkFile + " cannot be read: " + e.getClass().getSimpleName());
        }
        return fromJwk(jwk, "wallet file " + jwkFile);
    }

    /** A new wallet whose key exists only in this process (a few seconds of key generation). */
    public static ArweaveWallet generate() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(new RSAKeyGenParameterSpec(MODULUS_BYTES * 8, PUBLIC_EXPONENT));
            return of((RSAPrivateCrtKey) generator.generateKeyPair().getPrivate());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every JDK generates RSA keys", e);
        }
    }

    /** A wallet from a key already in memory (tests generate theirs). */
    public static ArweaveWallet of(RSAPrivateCrtKey key) {
        return checked(key, "the key");
    }

    private static ArweaveWallet checked(RSAPrivateCrtKey key, String source) {
        int bits = key.getModulus().bitLength();
        if (bits != MODULUS_BYTES * 8) {
            throw new WalletException(source + " is " + bits + "-bit RSA, an Arweave key is 4096-bit");
        }
        if (!PUBLIC_EXPONENT.equals(key.getPublicExponent())) {
            throw new WalletException(source + ": 'e' is not 65537 (AQAB), the exponent Arweave verifies with");
        }
        return new ArweaveWallet(key);
    }

    private static ArweaveWallet fromJwk(JsonNode jwk, String source) {
        if (jwk == null || !jwk.isObject()) {
            throw new WalletException(source + " is not a JWK object");
        }
        if (jwk.has("kty") && !"RSA".equals(jwk.get("kty").asText())) {
            throw new WalletException(source + " holds a " + jwk.get("kty").asText() + " key, not RSA");
        }
        BigInteger n = number(jwk, "n", source);
        BigInteger e = number(jwk, "e", source);
        BigInteger d = number(jwk, "d", source);
        BigInteger p = number(jwk, "p", source);
        BigInteger q = number(jwk, "q", source);
        BigInteger dp = number(jwk, "dp", source);
        BigInteger dq = number(jwk, "dq", source);
        BigInteger qi = number(jwk, "qi", source);
        if (!n.equals(p.multiply(q))) {
            throw new WalletException(source + " is inconsistent: n is not p times q");
        }
        try {
            RSAPrivateCrtKey key = (RSAPrivateCrtKey) KeyFactory.getInstance("RSA").generatePrivate(
                new RSAPrivateCrtKeySpec(n, e, d, p, q, dp, dq, qi));
            return checked(key, source);
        } catch (GeneralSecurityException invalid) {
            throw new WalletException(source + " is not a usable RSA key");
        }
    }

    private static BigInteger number(JsonNode jwk, String field, String source) {
        JsonNode value = jwk.get(field);
        if (value == null || !value.isTextual() || value.asText().isEmpty()) {
            throw new WalletException(source + " has no '" + field
                + "' (an Arweave JWK needs n, e, d, p, q, dp, dq, qi)");
        }
        try {
            return new BigInteger(1, Base64Url.decode(value.asText()));
        } catch (IllegalArgumentException e) {
            throw new WalletException(source + ": '" + field + "' is not base64url");
        }
    }

    /** The public modulus n, 512 bytes big-endian: a data item's owner field. */
    public byte[] owner() {
        return owner.clone();
    }

    /** The wallet address: base64url of SHA-256 of the owner. */
    public String address() {
        return Base64Url.encode(Sha256.digest(owner));
    }

    public byte[] sign(byte[] message) {
        return sign(message, (SecureRandom) null);
    }

    /** Signs with this 32-byte salt instead of a random one: the same message then gets the same signature. */
    public byte[] sign(byte[] message, byte[] salt) {
        if (salt.length != PSS.getSaltLength()) {
            throw new IllegalArgumentException("the salt is " + PSS.getSaltLength() + " bytes, not " + salt.length);
        }
        return sign(message, new GivenSalt(salt));
    }

    private byte[] sign(byte[] message, SecureRandom saltSource) {
        try {
            Signature signer = Signature.getInstance("RSASSA-PSS");
            signer.setParameter(PSS);
            if (saltSource == null) {
                signer.initSign(key);
            } else {
                signer.initSign(key, saltSource);
            }
            signer.update(message);
            return signer.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("RSA-PSS signing failed", e);
        }
    }

    /** Checks an RSA-PSS signature by the modulus {@code owner}, with exponent 65537 as Arweave assumes. */
    public static boolean verify(byte[] owner, byte[] message, byte[] signature) {
        try {
            Signature verifier = Signature.getInstance("RSASSA-PSS");
            verifier.setParameter(PSS);
            verifier.initVerify(KeyFactory.getInstance("RSA")
                .generatePublic(new RSAPublicKeySpec(new BigInteger(1, owner), PUBLIC_EXPONENT)));
            verifier.update(message);
            return verifier.verify(signature);
        } catch (InvalidAlgorithmParameterException e) {
            throw new IllegalStateException("the JDK refuses RSA-PSS parameters", e);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    static byte[] unsigned(BigInteger value, int length) {
        byte[] twosComplement = value.toByteArray();
        int significant = twosComplement.length;
        int skip = 0;
        while (significant > length && twosComplement[skip] == 0) {
            skip++;
            significant--;
        }
        if (significant > length) {
            throw new IllegalArgumentException("the number takes more than " + length + " bytes");
        }
        byte[] fixed = new byte[length];
        System.arraycopy(twosComplement, skip, fixed, length - significant, significant);
        return fixed;
    }

    @Override
    public String toString() {
        return "ArweaveWallet[" + address() + "]";
    }

    /**
     * The "random" source RSA-PSS draws its salt from, handing out a given salt instead: the only
     * randomness in a PSS signature (the JDK's blinding does not change the result).
     */
    private static final class GivenSalt extends SecureRandom {

        GivenSalt(byte[] salt) {
            super(new SecureRandomSpi() {
                @Override
                protected void engineSetSeed(byte[] seed) {
                }

                @Override
                protected void engineNextBytes(byte[] bytes) {
                    if (bytes.length != salt.length) {
                        throw new IllegalStateException("RSA-PSS asked for " + bytes.length + " salt bytes, not "
                            + salt.length);
                    }
                    System.arraycopy(salt, 0, bytes, 0, salt.length);
                }

                @Override
                protected byte[] engineGenerateSeed(int numBytes) {
                    throw new UnsupportedOperationException("a given salt has no seed");
                }
            }, null);
        }
    }
}

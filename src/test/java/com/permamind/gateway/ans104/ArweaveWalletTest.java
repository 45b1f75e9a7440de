package com.permamind.gateway.ans104;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ArweaveWalletTest {

    @TempDir
    Path dir;

    @Test
    void should_load_an_arweave_jwk_file() {
        ArweaveWallet wallet = ArweaveWallet.load(TestWallets.walletFile(dir));

        assertArrayEquals(TestWallets.wallet().owner(), wallet.owner());
        assertEquals(512, wallet.owner().length);
        assertEquals(Base64Url.encode(Sha256.digest(wallet.owner())), wallet.address());
    }

    @Test
    void should_sign_with_rsa_pss_that_verifies_against_the_owner() {
        ArweaveWallet wallet = ArweaveWallet.load(TestWallets.walletFile(dir));
        byte[] message = {1, 2, 3};

        byte[] signature = wallet.sign(message);

        assertEquals(512, signature.length);
        assertTrue(ArweaveWallet.verify(wallet.owner(), message, signature));
        assertFalse(ArweaveWallet.verify(wallet.owner(), new byte[] {1, 2, 4}, signature));
    }

    @Test
    void should_name_a_missing_wallet_file() {
        WalletException error = assertThrows(WalletException.class,
            () -> ArweaveWallet.load(dir.resolve("nowhere.json")));

        assertEquals("wallet file " + dir.resolve("nowhere.json") + " does not exist", error.getMessage());
    }

    @Test
    void should_name_the_missing_field_without_showing_key_material() {
        Map<String, String> jwk = new HashMap<>(TestWallets.jwk());
        jwk.remove("dq");

        WalletException error = assertThrows(WalletException.class,
            () -> ArweaveWallet.load(TestWallets.writeJwk(dir.resolve("w.json"), jwk)));

        assertTrue(error.getMessage().contains("has no 'dq'"), error.getMessage());
        assertNoKeyMaterialIn(error.getMessage());
    }

    @Test
    void should_refuse_a_field_that_is_not_base64url() {
        Map<String, String> jwk = new HashMap<>(TestWallets.jwk());
        jwk.put("d", "not base64url!");

        WalletException error = assertThrows(WalletException.class,
            () -> ArweaveWallet.load(TestWallets.writeJwk(dir.resolve("w.json"), jwk)));

        assertTrue(error.getMessage().endsWith("'d' is not base64url"), error.getMessage());
    }

    @Test
    void should_refuse_a_file_that_is_not_json_without_quoting_it() throws Exception {
        String almostJson = TestWallets.jwk().toString();
        Path file = Files.writeString(dir.resolve("w.json"), almostJson);

        WalletException error = assertThrows(WalletException.class, () -> ArweaveWallet.load(file));

        assertEquals("wallet file " + file + " is not JSON", error.getMessage());
    }

    @Test
    void should_refuse_a_key_whose_primes_do_not_match_the_modulus() {
        Map<String, String> jwk = new HashMap<>(TestWallets.jwk());
        jwk.put("p", Base64Url.encode(BigInteger.valueOf(65537).toByteArray()));

        WalletException error = assertThrows(WalletException.class,
            () -> ArweaveWallet.load(TestWallets.writeJwk(dir.resolve("w.json"), jwk)));

        assertTrue(error.getMessage().endsWith("n is not p times q"), error.getMessage());
    }

    @Test
    void should_refuse_a_public_exponent_arweave_does_not_verify_with() {
        Map<String, String> jwk = new HashMap<>(TestWallets.jwk());
        jwk.put("e", "Aw");

        WalletException error = assertThrows(WalletException.class,
            () -> ArweaveWallet.load(TestWallets.writeJwk(dir.resolve("w.json"), jwk)));

        assertTrue(error.getMessage().endsWith("w.json: 'e' is not 65537 (AQAB), the exponent Arweave verifies with"),
            error.getMessage());
    }

    @Test
    void should_refuse_a_key_that_is_not_rsa() {
        Path file = TestWallets.writeJwk(dir.resolve("w.json"), Map.of("kty", "EC", "crv", "secp256k1"));

        WalletException error = assertThrows(WalletException.class, () -> ArweaveWallet.load(file));

        assertTrue(error.getMessage().endsWith("holds a EC key, not RSA"), error.getMessage());
    }

    @Test
    void should_show_only_the_address_as_text() {
        ArweaveWallet wallet = TestWallets.wallet();

        assertEquals("ArweaveWallet[" + wallet.address() + "]", wallet.toString());
        assertNoKeyMaterialIn(wallet.toString());
    }

    private static void assertNoKeyMaterialIn(String text) {
        TestWallets.jwk().forEach((field, value) -> {
            if (!field.equals("kty") && !field.equals("e")) {
                assertFalse(text.contains(value.substring(0, 16)), "the text shows the JWK's " + field);
            }
        });
    }
}

package com.permamind.gateway.arweave;

import java.util.Base64;

/** Arweave writes ids, owners and JWK numbers as base64url without padding. */
final class Base64Url {

    private Base64Url() {
    }

    static String encode(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** Accepts padded and unpadded text; throws IllegalArgumentException on other characters. */
    static byte[] decode(String text) {
        return Base64.getUrlDecoder().decode(text);
    }
}

package com.permamind.gateway.ans104;

import java.util.Base64;

/** Arweave writes ids, owners and JWK numbers as base64url without padding. */
public final class Base64Url {

    private Base64Url() {
    }

    public static String encode(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** Accepts padded and unpadded text; throws IllegalArgumentException on other characters. */
    public static byte[] decode(String text) {
        return Base64.getUrlDecoder().decode(text);
    }
}

package com.permamind.gateway.ans104;

import static java.nio.charset.StandardCharsets.US_ASCII;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;

/**
 * Arweave's deep hash: SHA-384 over a tree whose leaves are byte strings and whose inner nodes are
 * lists. Each node is tagged with its kind and size ("blob" + length, "list" + count) so that no
 * two different trees hash alike. ANS-104 data items sign the deep hash of their fields.
 */
public final class DeepHash {

    private DeepHash() {
    }

    /** The deep hash of one leaf. */
    public static byte[] blob(byte[] data) {
        byte[] tag = sha384(("blob" + data.length).getBytes(US_ASCII));
        return sha384(tag, sha384(data));
    }

    /** The deep hash of a list whose elements are {@code byte[]} leaves or nested lists. */
    public static byte[] list(List<?> chunks) {
        byte[] accumulated = sha384(("list" + chunks.size()).getBytes(US_ASCII));
        for (Object chunk : chunks) {
            accumulated = sha384(accumulated, of(chunk));
        }
        return accumulated;
    }

    private static byte[] of(Object chunk) {
        if (chunk instanceof byte[] bytes) {
            return blob(bytes);
        }
        if (chunk instanceof List<?> list) {
            return list(list);
        }
        throw new IllegalArgumentException("a deep hash chunk is a byte[] or a List, not " + chunk);
    }

    private static byte[] sha384(byte[]... parts) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-384");
            for (byte[] part : parts) {
                digest.update(part);
            }
            return digest.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-384", e);
        }
    }
}

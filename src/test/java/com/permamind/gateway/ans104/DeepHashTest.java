package com.permamind.gateway.ans104;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Vectors from arbundles' src/__tests__/deepHash.spec.ts (Irys-xyz/arbundles). */
class DeepHashTest {

    @Test
    void should_hash_a_blob_as_arbundles_does() {
        assertEquals("41300af79285f856e833164518c7ec4974f5869ec77ca3458113fe6c587680d0"
            + "50f9f6864fd77f9eb62bd4e2faea9ae8", hex(DeepHash.blob(new byte[] {1, 2, 3})));
    }

    @Test
    void should_hash_an_empty_blob_as_arbundles_does() {
        assertEquals("fbf00cc444f5fea9dc3bedf62a13fba8ae87e7445fc910567a23bec4eb82fadb"
            + "1143c433069314d8362983dc3c2e4a38", hex(DeepHash.blob(new byte[0])));
    }

    @Test
    void should_hash_a_list_as_arbundles_does() {
        assertEquals("4dacdcc81acd09f38c77a07a2a7ae81f77c61e6b97ee5cc7b92f3a7f258e8d5b"
            + "a69d14d7d66070797b083873717c9896",
            hex(DeepHash.list(List.of(new byte[] {1, 2, 3}, new byte[] {4, 5, 6}))));
    }

    @Test
    void should_tell_a_nested_list_from_a_flat_one() {
        byte[] flat = DeepHash.list(List.of(new byte[] {1}, new byte[] {2}));
        byte[] nested = DeepHash.list(List.of(List.of(new byte[] {1}), new byte[] {2}));
        assertNotEquals(hex(flat), hex(nested));
    }

    private static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }
}

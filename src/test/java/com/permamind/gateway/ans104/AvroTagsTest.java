package com.permamind.gateway.ans104;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Encoding examples from arbundles' src/__tests__/tags.spec.ts (Irys-xyz/arbundles), written
 * there by avsc and by the Rust bundler client; strings stand for their UTF-8 bytes.
 */
class AvroTagsTest {

    private static final List<Tag> RUST_TAGS = List.of(new Tag("Hello", "Bundlr!"), new Tag("This is a ", "Test"));
    private static final byte[] RUST_ENCODED = bytes(4, 10, "Hello", 14, "Bundlr!", 20, "This is a ", 8, "Test", 0);

    private static final List<Tag> SHORT_TAGS = List.of(new Tag("ThisIsAShortName", "ThisIsAShortValue"));
    private static final byte[] SHORT_ENCODED = bytes(2, 32, "ThisIsAShortName", 34, "ThisIsAShortValue", 0);

    // 64 and 78 bytes: the lengths take two varint bytes (128 1 and 156 1).
    private static final String LONG_NAME = "ThisIsALongName" + "A".repeat(49);
    private static final String LONG_VALUE = "ThisIsALongValue" + "A".repeat(62);
    private static final List<Tag> LONG_TAGS = List.of(new Tag(LONG_NAME, LONG_VALUE));
    private static final byte[] LONG_ENCODED = bytes(2, 128, 1, LONG_NAME, 156, 1, LONG_VALUE, 0);

    private static final List<Tag> WARP_TAGS = List.of(
        new Tag("YnVuZGxlci10ZXN0cw", "dHJ1ZQ"),
        new Tag("ZFJUQUJSb1VNSmRXTUFtVGlQUlZ6T3hLc3Vya29HeEJlaFF6UlB5d2dITw",
            "enBJVFFUUWpzSGRtSFlVTGpCamZOZllpcHNaaUNRUENycEFSQUxaenJheQ"),
        new Tag("WFRvbkZlaFltYmRWb21RUUtMWFZGc2tqak1wZkxFZGhlcnpoclRJT05vTg",
            "YkNtcXpZS254RUtFQXVKa0VGSUdaVGl3c29xdWdsWEZYeVVNUUhXQVNNdQ"),
        new Tag("T25QVnp6RENsY3RIVUVFd3VhZ0xmYlVNc0pZTmV0ZkpXeFVLRXdpV2Z6Sg",
            "R3BocXp4bU5xekNQUFF3eUtVY2pXeXhUSldpTkhwTWtvT3JVbGdlQ2FRbA"),
        new Tag("SWZzUmVyTXJ4VmtBTnpjUGpoZG1SSkZwTWlFTEJXS1NBWVNHQ2p1TGREaA", "b1NHbWtNRlRjeg"));

    @Test
    void should_encode_the_published_examples() {
        assertArrayEquals(RUST_ENCODED, AvroTags.encode(RUST_TAGS));
        assertArrayEquals(SHORT_ENCODED, AvroTags.encode(SHORT_TAGS));
        assertArrayEquals(LONG_ENCODED, AvroTags.encode(LONG_TAGS));
    }

    @Test
    void should_decode_the_published_examples() {
        assertEquals(RUST_TAGS, AvroTags.decode(RUST_ENCODED));
        assertEquals(SHORT_TAGS, AvroTags.decode(SHORT_ENCODED));
        assertEquals(LONG_TAGS, AvroTags.decode(LONG_ENCODED));
    }

    /**
     * The published warp example holds the same tags twice: as one plain block (count 5 = byte 10,
     * 456 bytes in all) and as a block with a negative count and its byte size (9 140 7: count -5,
     * then 454 bytes of items), which avsc and arbundles both read.
     */
    @Test
    void should_read_a_block_that_carries_its_byte_size() {
        byte[] plain = AvroTags.encode(WARP_TAGS);
        assertEquals(456, plain.length);
        assertArrayEquals(bytes(10, 36, "YnVuZGxlci10ZXN0cw", 12, "dHJ1ZQ"), Arrays.copyOf(plain, 27));
        assertArrayEquals(bytes(28, "b1NHbWtNRlRjeg", 0), Arrays.copyOfRange(plain, plain.length - 16, plain.length));

        byte[] sized = bytes(9, 140, 7, Arrays.copyOfRange(plain, 1, plain.length));
        assertEquals(WARP_TAGS, AvroTags.decode(sized));
    }

    @Test
    void should_encode_no_tags_as_no_bytes() {
        assertArrayEquals(new byte[0], AvroTags.encode(List.of()));
        assertEquals(List.of(), AvroTags.decode(new byte[0]));
    }

    @Test
    void should_keep_non_ascii_text() {
        List<Tag> tags = List.of(new Tag("Title", "caf\u00e9 \u2615"));
        assertEquals(tags, AvroTags.decode(AvroTags.encode(tags)));
    }

    @Test
    void should_refuse_tags_outside_the_ans104_limits() {
        assertThrows(IllegalArgumentException.class, () -> AvroTags.encode(List.of(new Tag("", "value"))));
        assertThrows(IllegalArgumentException.class, () -> AvroTags.encode(List.of(new Tag("name", ""))));
        assertThrows(IllegalArgumentException.class,
            () -> AvroTags.encode(List.of(new Tag("n".repeat(1025), "value"))));
        assertThrows(IllegalArgumentException.class,
            () -> AvroTags.encode(List.of(new Tag("name", "v".repeat(3073)))));
        assertThrows(IllegalArgumentException.class,
            () -> AvroTags.encode(Collections.nCopies(129, new Tag("a", "b"))));
        assertThrows(IllegalArgumentException.class,
            () -> AvroTags.encode(List.of(new Tag("a", "v".repeat(3000)), new Tag("b", "v".repeat(3000)))));
    }

    @Test
    void should_refuse_malformed_bytes() {
        assertThrows(IllegalArgumentException.class, () -> AvroTags.decode(bytes(2, 10, "Hel")));
        assertThrows(IllegalArgumentException.class, () -> AvroTags.decode(bytes(2, 2, "a", 2, "b")));
        assertThrows(IllegalArgumentException.class, () -> AvroTags.decode(bytes(2, 2, "a", 2, "b", 0, 7)));
        assertThrows(IllegalArgumentException.class, () -> AvroTags.decode(bytes(0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
            0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01)));
    }

    /** Concatenates bytes given as ints, strings (UTF-8) and byte arrays. */
    static byte[] bytes(Object... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Object part : parts) {
            if (part instanceof Integer b) {
                out.write(b);
            } else if (part instanceof String text) {
                out.writeBytes(text.getBytes(UTF_8));
            } else {
                out.writeBytes((byte[]) part);
            }
        }
        return out.toByteArray();
    }
}

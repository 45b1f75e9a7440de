package com.permamind.gateway.ans104;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * The tags of an ANS-104 data item: an Avro array of {@code {name: string, value: string}}
 * records. Avro writes an array as blocks (a zig-zag varint count, then the items) closed by a
 * zero count; a negative count is followed by the block's size in bytes. We write one block, as
 * arbundles does, and read any valid blocking.
 */
public final class AvroTags {

    /** ANS-104's limits, and arbundles' cap on the encoded size. */
    static final int MAX_TAGS = 128;
    static final int MAX_NAME_BYTES = 1024;
    static final int MAX_VALUE_BYTES = 3072;
    static final int MAX_ENCODED_BYTES = 4096;

    private AvroTags() {
    }

    /** No tags encode to no bytes at all, not to an empty Avro array: that is what signers hash. */
    public static byte[] encode(List<Tag> tags) {
        if (tags.isEmpty()) {
            return new byte[0];
        }
        if (tags.size() > MAX_TAGS) {
            throw new IllegalArgumentException("at most " + MAX_TAGS + " tags, not " + tags.size());
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        writeLong(out, tags.size());
        for (Tag tag : tags) {
            writeString(out, tag.name(), MAX_NAME_BYTES, "name");
            writeString(out, tag.value(), MAX_VALUE_BYTES, "value");
        }
        writeLong(out, 0);
        if (out.size() > MAX_ENCODED_BYTES) {
            throw new IllegalArgumentException("tags take " + out.size() + " bytes, at most " + MAX_ENCODED_BYTES);
        }
        return out.toByteArray();
    }

    /** Throws IllegalArgumentException when the bytes are not exactly one Avro array of tags. */
    public static List<Tag> decode(byte[] bytes) {
        if (bytes.length == 0) {
            return List.of();
        }
        Reader in = new Reader(bytes);
        List<Tag> tags = new ArrayList<>();
        long count;
        while ((count = in.readLong()) != 0) {
            if (count < 0) {
                count = -count;
                in.readLong();
            }
            if (count > MAX_TAGS - tags.size()) {
                throw new IllegalArgumentException("more than " + MAX_TAGS + " tags");
            }
            for (long i = 0; i < count; i++) {
                tags.add(new Tag(in.readString(), in.readString()));
            }
        }
        if (!in.atEnd()) {
            throw new IllegalArgumentException("bytes left after the tags array");
        }
        return tags;
    }

    private static void writeString(ByteArrayOutputStream out, String text, int maxBytes, String what) {
        byte[] utf8 = text.getBytes(UTF_8);
        if (utf8.length == 0 || utf8.length > maxBytes) {
            throw new IllegalArgumentException("a tag " + what + " takes 1 to " + maxBytes + " bytes, not "
                + utf8.length);
        }
        writeLong(out, utf8.length);
        out.writeBytes(utf8);
    }

    private static void writeLong(ByteArrayOutputStream out, long n) {
        long zigZag = (n << 1) ^ (n >> 63);
        while ((zigZag & ~0x7FL) != 0) {
            out.write((int) ((zigZag & 0x7F) | 0x80));
            zigZag >>>= 7;
        }
        out.write((int) zigZag);
    }

    private static final class Reader {
        private final byte[] bytes;
        private int position;

        Reader(byte[] bytes) {
            this.bytes = bytes;
        }

        long readLong() {
            long zigZag = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                int b = next();
                zigZag |= (long) (b & 0x7F) << shift;
                if ((b & 0x80) == 0) {
                    return (zigZag >>> 1) ^ -(zigZag & 1);
                }
            }
            throw new IllegalArgumentException("an Avro long longer than 10 bytes at byte " + position);
        }

        String readString() {
            long length = readLong();
            if (length < 0 || length > bytes.length - position) {
                throw new IllegalArgumentException("a tag string of " + length + " bytes at byte " + position
                    + " runs past the end");
            }
            String text = new String(bytes, position, (int) length, UTF_8);
            position += (int) length;
            return text;
        }

        boolean atEnd() {
            return position == bytes.length;
        }

        private int next() {
            if (position >= bytes.length) {
                throw new IllegalArgumentException("the tags end in the middle of a value");
            }
            return bytes[position++] & 0xFF;
        }
    }
}

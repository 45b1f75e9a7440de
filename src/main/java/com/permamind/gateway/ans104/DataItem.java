package com.permamind.gateway.ans104;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * An ANS-104 data item signed with an Arweave wallet (signature type 1). Layout, integers
 * little-endian:
 *
 * <pre>
 * signature type   2 bytes (1)
 * signature        512 bytes, RSA-PSS
 * owner            512 bytes, the RSA modulus
 * target           presence byte (0 or 1), then 32 bytes when present
 * anchor           presence byte (0 or 1), then 32 bytes when present
 * tag count        8 bytes
 * tag bytes size   8 bytes
 * tags             Avro ({@link AvroTags})
 * data             the rest
 * </pre>
 *
 * The signature covers the deep hash of {@code ["dataitem", "1", "1", owner, target, anchor,
 * tags, data]}, absent fields as empty byte strings and the tags as their raw bytes; the id is
 * SHA-256 of the signature.
 */
public final class DataItem {

    public static final int ARWEAVE_SIGNATURE_TYPE = 1;
    static final int SIGNATURE_BYTES = 512;
    static final int OWNER_BYTES = ArweaveWallet.MODULUS_BYTES;
    static final int TARGET_BYTES = 32;
    static final int ANCHOR_BYTES = 32;

    private final byte[] signature;
    private final byte[] owner;
    private final byte[] target;
    private final byte[] anchor;
    private final List<Tag> tags;
    private final byte[] rawTags;
    private final byte[] data;

    private DataItem(byte[] signature, byte[] owner, byte[] target, byte[] anchor, List<Tag> tags, byte[] rawTags,
            byte[] data) {
        this.signature = signature;
        this.owner = owner;
        this.target = target;
        this.anchor = anchor;
        this.tags = List.copyOf(tags);
        this.rawTags = rawTags;
        this.data = data;
    }

    /**
     * Builds and signs an item without target. {@code anchor} is 32 bytes, or empty for none:
     * an anchor only matters to bundlers that refuse replays.
     */
    public static DataItem sign(ArweaveWallet wallet, byte[] anchor, List<Tag> tags, byte[] data) {
        return sign(wallet, new byte[0], anchor, tags, data, null);
    }

    /**
     * Builds and signs an item addressed to {@code target} (32 bytes, e.g. a process id), the same
     * bytes and id every time for the same {@code seed}: the RSA-PSS salt is derived from it. Any
     * salt verifies, so the item stays standard; what changes is that sending it again is
     * recognisably the same message.
     */
    public static DataItem signRepeatably(ArweaveWallet wallet, byte[] target, List<Tag> tags, byte[] data,
            String seed) {
        if (target.length != TARGET_BYTES) {
            throw new IllegalArgumentException("a target is " + TARGET_BYTES + " bytes, not " + target.length);
        }
        byte[] salt = Sha256.digest(("ans104-pss-salt:" + seed).getBytes(UTF_8));
        return sign(wallet, target, new byte[0], tags, data, salt);
    }

    private static DataItem sign(ArweaveWallet wallet, byte[] target, byte[] anchor, List<Tag> tags, byte[] data,
            byte[] salt) {
        if (anchor.length != 0 && anchor.length != ANCHOR_BYTES) {
            throw new IllegalArgumentException("an anchor is " + ANCHOR_BYTES + " bytes, not " + anchor.length);
        }
        byte[] owner = wallet.owner();
        byte[] rawTags = AvroTags.encode(tags);
        byte[] message = signatureData(owner, target, anchor, rawTags, data);
        byte[] signature = salt == null ? wallet.sign(message) : wallet.sign(message, salt);
        return new DataItem(signature, owner, target.clone(), anchor.clone(), tags, rawTags, data.clone());
    }

    /** Reads an item's fields; throws IllegalArgumentException when the bytes are not a type 1 item. */
    public static DataItem parse(byte[] binary) {
        ByteBuffer in = ByteBuffer.wrap(binary).order(ByteOrder.LITTLE_ENDIAN);
        try {
            int type = Short.toUnsignedInt(in.getShort());
            if (type != ARWEAVE_SIGNATURE_TYPE) {
                throw new IllegalArgumentException("signature type " + type + " is not Arweave's (1)");
            }
            byte[] signature = take(in, SIGNATURE_BYTES);
            byte[] owner = take(in, OWNER_BYTES);
            byte[] target = optional(in, TARGET_BYTES, "target");
            byte[] anchor = optional(in, ANCHOR_BYTES, "anchor");
            long tagCount = in.getLong();
            long tagBytes = in.getLong();
            if (tagBytes < 0 || tagBytes > AvroTags.MAX_ENCODED_BYTES) {
                throw new IllegalArgumentException("tags of " + tagBytes + " bytes, at most "
                    + AvroTags.MAX_ENCODED_BYTES);
            }
            byte[] rawTags = take(in, (int) tagBytes);
            List<Tag> tags = AvroTags.decode(rawTags);
            if (tags.size() != tagCount) {
                throw new IllegalArgumentException("the header counts " + tagCount + " tags, the tags hold "
                    + tags.size());
            }
            byte[] data = take(in, in.remaining());
            return new DataItem(signature, owner, target, anchor, tags, rawTags, data);
        } catch (BufferUnderflowException e) {
            throw new IllegalArgumentException("the data item ends early (" + binary.length + " bytes)");
        }
    }

    /** True when the signature is the owner's over this item's fields. */
    public boolean verify() {
        return ArweaveWallet.verify(owner, signatureData(owner, target, anchor, rawTags, data), signature);
    }

    /** The item's id: base64url of SHA-256 of the signature. */
    public String id() {
        return Base64Url.encode(Sha256.digest(signature));
    }

    public byte[] toBytes() {
        int size = 2 + SIGNATURE_BYTES + OWNER_BYTES + 1 + target.length + 1 + anchor.length + 16 + rawTags.length
            + data.length;
        ByteBuffer out = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        out.putShort((short) ARWEAVE_SIGNATURE_TYPE);
        out.put(signature).put(owner);
        out.put((byte) (target.length == 0 ? 0 : 1)).put(target);
        out.put((byte) (anchor.length == 0 ? 0 : 1)).put(anchor);
        out.putLong(tags.size()).putLong(rawTags.length).put(rawTags);
        out.put(data);
        return out.array();
    }

    public byte[] signature() {
        return signature.clone();
    }

    public byte[] owner() {
        return owner.clone();
    }

    /** The owner's wallet address: base64url of SHA-256 of the owner. */
    public String ownerAddress() {
        return Base64Url.encode(Sha256.digest(owner));
    }

    public Optional<byte[]> target() {
        return target.length == 0 ? Optional.empty() : Optional.of(target.clone());
    }

    public Optional<byte[]> anchor() {
        return anchor.length == 0 ? Optional.empty() : Optional.of(anchor.clone());
    }

    public List<Tag> tags() {
        return tags;
    }

    public Optional<String> tag(String name) {
        return tags.stream().filter(tag -> tag.name().equals(name)).map(Tag::value).findFirst();
    }

    public byte[] data() {
        return data.clone();
    }

    // The tags are hashed as the bytes on the wire, not re-encoded: Avro allows several encodings.
    private static byte[] signatureData(byte[] owner, byte[] target, byte[] anchor, byte[] rawTags, byte[] data) {
        List<byte[]> fields = new ArrayList<>();
        fields.add("dataitem".getBytes(US_ASCII));
        fields.add("1".getBytes(US_ASCII));
        fields.add(Integer.toString(ARWEAVE_SIGNATURE_TYPE).getBytes(US_ASCII));
        fields.add(owner);
        fields.add(target);
        fields.add(anchor);
        fields.add(rawTags);
        fields.add(data);
        return DeepHash.list(fields);
    }

    private static byte[] take(ByteBuffer in, int length) {
        byte[] bytes = new byte[length];
        in.get(bytes);
        return bytes;
    }

    private static byte[] optional(ByteBuffer in, int length, String field) {
        int presence = in.get();
        if (presence == 0) {
            return new byte[0];
        }
        if (presence != 1) {
            throw new IllegalArgumentException("the " + field + " presence byte is " + presence + ", not 0 or 1");
        }
        return take(in, length);
    }
}

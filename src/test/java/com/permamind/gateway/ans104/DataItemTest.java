package com.permamind.gateway.ans104;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class DataItemTest {

    private static final byte[] ANCHOR = "thisSentenceIs32BytesLongTrustMe".getBytes(US_ASCII);
    private static final List<Tag> TAGS = List.of(new Tag("Content-Type", "application/lua"),
        new Tag("Module-Name", "permamind-registry"));
    private static final byte[] DATA = "return 1\n".getBytes(UTF_8);

    @Test
    void should_verify_after_a_round_trip_through_bytes() {
        DataItem signed = DataItem.sign(TestWallets.wallet(), ANCHOR, TAGS, DATA);

        DataItem parsed = DataItem.parse(signed.toBytes());

        assertTrue(parsed.verify());
        assertEquals(signed.id(), parsed.id());
        assertEquals(TAGS, parsed.tags());
        assertArrayEquals(DATA, parsed.data());
        assertArrayEquals(ANCHOR, parsed.anchor().orElseThrow());
        assertTrue(parsed.target().isEmpty());
        assertArrayEquals(TestWallets.wallet().owner(), parsed.owner());
        assertEquals(TestWallets.wallet().address(), parsed.ownerAddress());
    }

    @Test
    void should_sign_the_same_item_for_the_same_seed_and_another_for_another_seed() {
        byte[] target = Base64Url.decode("afj-S1wpWK07iSs9jIttoPJsptf4Db6ubZ_CLODdEpQ");

        DataItem first = DataItem.signRepeatably(TestWallets.wallet(), target, TAGS, DATA, "event-1");
        DataItem again = DataItem.signRepeatably(TestWallets.wallet(), target, TAGS, DATA, "event-1");
        DataItem other = DataItem.signRepeatably(TestWallets.wallet(), target, TAGS, DATA, "event-2");

        assertArrayEquals(first.toBytes(), again.toBytes());
        assertEquals(first.id(), again.id());
        assertFalse(first.id().equals(other.id()));
        DataItem parsed = DataItem.parse(first.toBytes());
        assertTrue(parsed.verify());
        assertTrue(DataItem.parse(other.toBytes()).verify());
        assertArrayEquals(target, parsed.target().orElseThrow());
        assertTrue(parsed.anchor().isEmpty());
    }

    @Test
    void should_derive_the_id_from_the_signature() {
        DataItem item = DataItem.sign(TestWallets.wallet(), ANCHOR, TAGS, DATA);

        assertEquals(Base64Url.encode(Sha256.digest(item.signature())), item.id());
        assertEquals(43, item.id().length());
    }

    @Test
    void should_lay_out_the_fields_as_ans104_says() {
        DataItem item = DataItem.sign(TestWallets.wallet(), ANCHOR, TAGS, DATA);
        ByteBuffer bytes = ByteBuffer.wrap(item.toBytes()).order(ByteOrder.LITTLE_ENDIAN);
        byte[] rawTags = AvroTags.encode(TAGS);

        assertEquals(1, bytes.getShort(0));
        assertArrayEquals(item.signature(), slice(bytes, 2, 512));
        assertArrayEquals(TestWallets.wallet().owner(), slice(bytes, 514, 512));
        assertEquals(0, bytes.get(1026), "no target");
        assertEquals(1, bytes.get(1027), "an anchor");
        assertArrayEquals(ANCHOR, slice(bytes, 1028, 32));
        assertEquals(TAGS.size(), bytes.getLong(1060));
        assertEquals(rawTags.length, bytes.getLong(1068));
        assertArrayEquals(rawTags, slice(bytes, 1076, rawTags.length));
        assertArrayEquals(DATA, slice(bytes, 1076 + rawTags.length, DATA.length));
        assertEquals(1076 + rawTags.length + DATA.length, bytes.capacity());
    }

    @Test
    void should_sign_an_item_without_anchor_nor_tags() {
        DataItem item = DataItem.sign(TestWallets.wallet(), new byte[0], List.of(), DATA);
        byte[] bytes = item.toBytes();

        assertEquals(0, bytes[1027], "no anchor");
        assertEquals(2 + 512 + 512 + 1 + 1 + 16 + DATA.length, bytes.length);
        DataItem parsed = DataItem.parse(bytes);
        assertTrue(parsed.verify());
        assertTrue(parsed.anchor().isEmpty());
        assertEquals(List.of(), parsed.tags());
    }

    @Test
    void should_not_verify_when_a_data_byte_changed() {
        byte[] bytes = DataItem.sign(TestWallets.wallet(), ANCHOR, TAGS, DATA).toBytes();
        bytes[bytes.length - 1] ^= 1;

        assertFalse(DataItem.parse(bytes).verify());
    }

    @Test
    void should_not_verify_when_a_tag_changed() {
        DataItem item = DataItem.sign(TestWallets.wallet(), ANCHOR, TAGS, DATA);
        byte[] bytes = item.toBytes();
        int moduleName = indexOf(bytes, "permamind-registry".getBytes(US_ASCII));
        bytes[moduleName] = 'P';

        DataItem parsed = DataItem.parse(bytes);
        assertEquals("Permamind-registry", parsed.tag("Module-Name").orElseThrow());
        assertFalse(parsed.verify());
    }

    @Test
    void should_not_verify_when_the_anchor_changed() {
        byte[] bytes = DataItem.sign(TestWallets.wallet(), ANCHOR, TAGS, DATA).toBytes();
        bytes[1028] ^= 1;

        assertFalse(DataItem.parse(bytes).verify());
    }

    @Test
    void should_refuse_bytes_that_are_not_an_arweave_signed_item() {
        byte[] bytes = DataItem.sign(TestWallets.wallet(), ANCHOR, TAGS, DATA).toBytes();

        assertThrows(IllegalArgumentException.class, () -> DataItem.parse(Arrays.copyOf(bytes, 1000)));
        byte[] ethereum = bytes.clone();
        ethereum[0] = 3;
        assertThrows(IllegalArgumentException.class, () -> DataItem.parse(ethereum));
        byte[] badPresence = bytes.clone();
        badPresence[1026] = 2;
        assertThrows(IllegalArgumentException.class, () -> DataItem.parse(badPresence));
        byte[] wrongCount = bytes.clone();
        wrongCount[1060] = 3;
        assertThrows(IllegalArgumentException.class, () -> DataItem.parse(wrongCount));
    }

    @Test
    void should_refuse_an_anchor_of_another_length() {
        assertThrows(IllegalArgumentException.class,
            () -> DataItem.sign(TestWallets.wallet(), new byte[31], TAGS, DATA));
    }

    private static byte[] slice(ByteBuffer bytes, int from, int length) {
        return Arrays.copyOfRange(bytes.array(), from, from + length);
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            if (Arrays.equals(haystack, i, i + needle.length, needle, 0, needle.length)) {
                return i;
            }
        }
        throw new AssertionError("not found");
    }
}

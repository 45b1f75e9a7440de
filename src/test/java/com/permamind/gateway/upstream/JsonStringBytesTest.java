package com.permamind.gateway.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** A dry-run's Data read from the answer's bytes gives the same text Jackson's own reading of the string gives. */
class JsonStringBytesTest {

    private static final ObjectMapper PLAIN = new ObjectMapper();
    private static final ObjectMapper ASCII = JsonMapper.builder().enable(JsonWriteFeature.ESCAPE_NON_ASCII).build();

    @Test
    void randomTextReadsBackAsJacksonWroteIt() throws IOException {
        Random random = new Random(7);
        for (int round = 0; round < 2_000; round++) {
            String text = randomText(random, random.nextInt(round % 50 == 0 ? 20_000 : 200));
            for (ObjectMapper writer : new ObjectMapper[] {PLAIN, ASCII}) {
                byte[] json = writer.writeValueAsBytes(new Object[] {1, text, "after"});
                int quote = indexOfSecondElement(json);
                assertEquals(text, readInChunks(new JsonStringBytes(json, quote), 1 + random.nextInt(9_000)),
                        () -> "as written by " + (writer == ASCII ? "ESCAPE_NON_ASCII" : "default"));
                assertEquals(PLAIN.readTree(json).get(1).asText(), text);
            }
        }
    }

    @Test
    void everyEscapeOfTheGrammar() throws IOException {
        byte[] json = "\"q\\\"b\\\\s\\/f\\b\\f\\n\\r\\t\\u00e9\\u20AC\\ud83d\\ude00\\ud800x\" trailing".getBytes(StandardCharsets.UTF_8);
        assertEquals("q\"b\\s/f\b\f\n\r\té€\uD83D\uDE00\uFFFDx", readInChunks(new JsonStringBytes(json, 0), 3));
    }

    @Test
    void brokenStringsAreErrors() {
        assertThrows(IOException.class, () -> readInChunks(new JsonStringBytes("\"no end".getBytes(StandardCharsets.UTF_8), 0), 4));
        assertThrows(IOException.class, () -> readInChunks(new JsonStringBytes("\"\\x\"".getBytes(StandardCharsets.UTF_8), 0), 4));
        assertThrows(IOException.class, () -> readInChunks(new JsonStringBytes("\"\\u12\"".getBytes(StandardCharsets.UTF_8), 0), 4));
        assertThrows(IllegalArgumentException.class, () -> new JsonStringBytes("x\"\"".getBytes(StandardCharsets.UTF_8), 0));
    }

    private static String readInChunks(InputStream in, int chunk) throws IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        byte[] buffer = new byte[chunk];
        for (int read; (read = in.read(buffer, 0, chunk)) >= 0; ) {
            out.write(buffer, 0, read);
        }
        assertEquals(-1, in.read());
        return out.toString(StandardCharsets.UTF_8);
    }

    // [1,"...": the quote after the first comma
    private static int indexOfSecondElement(byte[] json) {
        for (int i = 0; i < json.length; i++) {
            if (json[i] == ',') {
                return i + 1;
            }
        }
        throw new AssertionError("no second element");
    }

    private static String randomText(Random random, int length) {
        StringBuilder text = new StringBuilder(length);
        while (text.length() < length) {
            switch (random.nextInt(6)) {
                case 0 -> text.append((char) random.nextInt(0x20));
                case 1 -> text.append("\"\\/");
                case 2 -> text.appendCodePoint(0x80 + random.nextInt(0x780));
                case 3 -> text.appendCodePoint(0x800 + random.nextInt(0xD000 - 0x800));
                case 4 -> text.appendCodePoint(0x10000 + random.nextInt(0x10FFFF - 0x10000));
                default -> text.append((char) (0x20 + random.nextInt(0x5F)));
            }
        }
        return text.toString();
    }
}

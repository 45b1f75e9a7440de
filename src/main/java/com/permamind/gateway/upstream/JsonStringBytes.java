package com.permamind.gateway.upstream;

import java.io.IOException;
import java.io.InputStream;

/**
 * The text of a JSON string, as UTF-8 bytes, read straight from the JSON's bytes and unescaped on
 * the way: a dry-run's Data is JSON inside a JSON string, and Jackson offers no way to parse a
 * string's value without first copying all of it into a char buffer and a String (ComputeUnitClient).
 */
final class JsonStringBytes extends InputStream {

    private final byte[] json;
    private int at;
    private boolean ended;
    // the rest of a character written by an escape (\\u0000 to \\uFFFF, or a surrogate pair: up to 4 bytes)
    private final byte[] pending = new byte[4];
    private int pendingAt;
    private int pendingEnd;

    /** @param quote where the string's opening quote is in {@code json} */
    JsonStringBytes(byte[] json, int quote) {
        if (json[quote] != '"') {
            throw new IllegalArgumentException("no JSON string at " + quote);
        }
        this.json = json;
        this.at = quote + 1;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] into, int offset, int length) throws IOException {
        if (length == 0) {
            return 0;
        }
        int written = 0;
        while (written < length) {
            if (pendingAt < pendingEnd) {
                into[offset + written++] = pending[pendingAt++];
                continue;
            }
            if (ended) {
                break;
            }
            // a run of plain bytes at once; UTF-8 passes through as it is
            int run = at;
            int limit = Math.min(json.length, at + (length - written));
            while (run < limit && json[run] != '"' && json[run] != '\\') {
                run++;
            }
            if (run > at) {
                System.arraycopy(json, at, into, offset + written, run - at);
                written += run - at;
                at = run;
                continue;
            }
            if (at >= json.length) {
                throw new IOException("the JSON string does not end");
            }
            if (json[at] == '"') {
                ended = true;
                break;
            }
            unescape();
        }
        return written == 0 && ended && pendingAt == pendingEnd ? -1 : written;
    }

    private void unescape() throws IOException {
        byte escaped = at + 1 < json.length ? json[at + 1] : 0;
        at += 2;
        pendingAt = 0;
        pendingEnd = 1;
        switch (escaped) {
            case '"', '\\', '/' -> pending[0] = escaped;
            case 'b' -> pending[0] = '\b';
            case 'f' -> pending[0] = '\f';
            case 'n' -> pending[0] = '\n';
            case 'r' -> pending[0] = '\r';
            case 't' -> pending[0] = '\t';
            case 'u' -> encode(codePoint());
            default -> throw new IOException("bad escape in a JSON string at " + (at - 2));
        }
    }

    private int codePoint() throws IOException {
        char unit = hex();
        if (Character.isHighSurrogate(unit) && at + 1 < json.length && json[at] == '\\' && json[at + 1] == 'u') {
            int mark = at;
            at += 2;
            char low = hex();
            if (Character.isLowSurrogate(low)) {
                return Character.toCodePoint(unit, low);
            }
            at = mark;
        }
        // a lone surrogate has no UTF-8 form: the replacement character, as String's encoder writes it
        return Character.isSurrogate(unit) ? 0xFFFD : unit;
    }

    private char hex() throws IOException {
        if (at + 4 > json.length) {
            throw new IOException("a \\u escape without four hex digits");
        }
        int value = 0;
        for (int i = 0; i < 4; i++) {
            int digit = Character.digit(json[at++], 16);
            if (digit < 0) {
                throw new IOException("a \\u escape without four hex digits");
            }
            value = value << 4 | digit;
        }
        return (char) value;
    }

    private void encode(int codePoint) {
        if (codePoint < 0x80) {
            pending[0] = (byte) codePoint;
            pendingEnd = 1;
        } else if (codePoint < 0x800) {
            pending[0] = (byte) (0xC0 | codePoint >> 6);
            pending[1] = (byte) (0x80 | codePoint & 0x3F);
            pendingEnd = 2;
        } else if (codePoint < 0x10000) {
            pending[0] = (byte) (0xE0 | codePoint >> 12);
            pending[1] = (byte) (0x80 | codePoint >> 6 & 0x3F);
            pending[2] = (byte) (0x80 | codePoint & 0x3F);
            pendingEnd = 3;
        } else {
            pending[0] = (byte) (0xF0 | codePoint >> 18);
            pending[1] = (byte) (0x80 | codePoint >> 12 & 0x3F);
            pending[2] = (byte) (0x80 | codePoint >> 6 & 0x3F);
            pending[3] = (byte) (0x80 | codePoint & 0x3F);
            pendingEnd = 4;
        }
    }
}

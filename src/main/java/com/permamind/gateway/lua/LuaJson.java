package com.permamind.gateway.lua;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.SerializedString;
import com.permamind.gateway.JsonMappers;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;

/**
 * JSON to Lua tables and back, with the conventions of the Lua module: arrays carry a metatable
 * with {@code __jsonarray}, integral numbers are written as integers, object keys in byte order.
 */
final class LuaJson {

    private static final JsonFactory JSON = JsonMappers.factory().build();
    private static final LuaString ARRAY_FLAG = LuaValue.valueOf("__jsonarray");
    private static final LuaTable ARRAY_MARK = LuaTable.tableOf(new LuaValue[] {ARRAY_FLAG, LuaValue.TRUE});
    // Answers reuse a few dozen keys: encode each once, but never let odd data grow this unbounded.
    private static final int MAX_CACHED_KEYS = 4096;
    private static final Map<LuaString, SerializedString> KEYS = new ConcurrentHashMap<>();
    // Doubles represent integers exactly up to 2^53.
    private static final double MAX_EXACT_INTEGER = 9007199254740992d;

    private LuaJson() {
    }

    static LuaTable newArray() {
        LuaTable array = new LuaTable();
        array.setmetatable(ARRAY_MARK);
        return array;
    }

    static LuaValue decode(String json) {
        try (JsonParser parser = JSON.createParser(json)) {
            parser.nextToken();
            return read(parser, new HashMap<>());
        } catch (IOException e) {
            throw new IllegalArgumentException("registry state is not valid JSON: " + e.getMessage(), e);
        }
    }

    // Keys and short values repeat thousands of times in a large state: share one LuaString each.
    static LuaString text(String value, Map<String, LuaString> shared) {
        return value.length() > 48 ? utf8(value) : shared.computeIfAbsent(value, LuaJson::utf8);
    }

    // luaj's own String conversion mangles characters outside the BMP (emoji); UTF-8 bytes do not.
    static LuaString utf8(String value) {
        return LuaString.valueOf(value.getBytes(StandardCharsets.UTF_8));
    }

    static LuaValue read(JsonParser parser, Map<String, LuaString> shared) throws IOException {
        JsonToken token = parser.currentToken();
        switch (token) {
            case START_OBJECT: {
                LuaTable object = new LuaTable();
                while (parser.nextToken() != JsonToken.END_OBJECT) {
                    LuaString key = text(parser.currentName(), shared);
                    parser.nextToken();
                    LuaValue value = read(parser, shared);
                    if (!value.isnil()) {
                        object.rawset(key, value);
                    }
                }
                return object;
            }
            case START_ARRAY: {
                LuaTable array = newArray();
                int next = 1;
                while (parser.nextToken() != JsonToken.END_ARRAY) {
                    LuaValue value = read(parser, shared);
                    // as the Lua decoder does: a null element is dropped, not left as a hole
                    if (!value.isnil()) {
                        array.rawset(next++, value);
                    }
                }
                return array;
            }
            case VALUE_STRING:
                return text(parser.getText(), shared);
            case VALUE_NUMBER_INT: {
                long value = parser.getLongValue();
                return value == (int) value ? LuaValue.valueOf((int) value) : LuaValue.valueOf((double) value);
            }
            case VALUE_NUMBER_FLOAT:
                return LuaValue.valueOf(parser.getDoubleValue());
            case VALUE_TRUE:
                return LuaValue.TRUE;
            case VALUE_FALSE:
                return LuaValue.FALSE;
            default:
                return LuaValue.NIL;
        }
    }

    static String encode(LuaValue value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator generator = JSON.createGenerator(out)) {
            write(value, generator);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static void write(LuaValue value, JsonGenerator out) throws IOException {
        switch (value.type()) {
            case LuaValue.TSTRING: {
                LuaString text = value.checkstring();
                out.writeUTF8String(text.m_bytes, text.m_offset, text.m_length);
                break;
            }
            case LuaValue.TNUMBER:
                writeNumber(value.todouble(), out);
                break;
            case LuaValue.TBOOLEAN:
                out.writeBoolean(value.toboolean());
                break;
            case LuaValue.TTABLE:
                writeTable((LuaTable) value, out);
                break;
            default:
                out.writeNull();
        }
    }

    private static void writeNumber(double number, JsonGenerator out) throws IOException {
        if (number == Math.rint(number) && Math.abs(number) <= MAX_EXACT_INTEGER) {
            out.writeNumber((long) number);
        } else {
            out.writeNumber(number);
        }
    }

    private static void writeTable(LuaTable table, JsonGenerator out) throws IOException {
        int length = table.rawlen();
        if (isArray(table, length)) {
            out.writeStartArray();
            for (int i = 1; i <= length; i++) {
                write(table.rawget(i), out);
            }
            out.writeEndArray();
            return;
        }
        List<LuaString> keys = new ArrayList<>();
        for (Varargs entry = table.next(LuaValue.NIL); !entry.arg1().isnil(); entry = table.next(entry.arg1())) {
            if (entry.arg1().type() == LuaValue.TSTRING) {
                keys.add(entry.arg1().checkstring());
            }
        }
        keys.sort(LuaString::strcmp);
        out.writeStartObject();
        for (LuaString key : keys) {
            out.writeFieldName(fieldName(key));
            write(table.rawget(key), out);
        }
        out.writeEndObject();
    }

    private static SerializedString fieldName(LuaString key) {
        SerializedString name = KEYS.get(key);
        if (name == null) {
            name = new SerializedString(new String(key.m_bytes, key.m_offset, key.m_length, StandardCharsets.UTF_8));
            if (KEYS.size() < MAX_CACHED_KEYS) {
                KEYS.put(key, name);
            }
        }
        return name;
    }

    private static boolean isArray(LuaTable table, int length) {
        LuaValue meta = table.getmetatable();
        if (meta != null && meta.rawget(ARRAY_FLAG).toboolean()) {
            return true;
        }
        return length > 0 && table.keyCount() == length;
    }
}

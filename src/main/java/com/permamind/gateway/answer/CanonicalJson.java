package com.permamind.gateway.answer;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.permamind.gateway.JsonMappers;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * The one way the gateway writes a body: compact, object keys in order, integral numbers as
 * integers. Whichever upstream answered and in whatever key order, equal answers are equal bytes.
 */
public final class CanonicalJson {

    // a factory with a codec, so scalar nodes can be written as they are
    private static final JsonFactory JSON = new ObjectMapper(JsonMappers.factory()
            .enable(JsonWriteFeature.COMBINE_UNICODE_SURROGATES_IN_UTF8).build()).getFactory();

    private CanonicalJson() {
    }

    public static byte[] write(JsonNode value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(1024);
        try (JsonGenerator generator = JSON.createGenerator(out)) {
            write(value, generator);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static void write(JsonNode value, JsonGenerator out) throws IOException {
        if (value.isObject()) {
            List<String> names = new ArrayList<>();
            value.fieldNames().forEachRemaining(names::add);
            names.sort(null);
            out.writeStartObject();
            for (String name : names) {
                out.writeFieldName(name);
                write(value.get(name), out);
            }
            out.writeEndObject();
        } else if (value.isArray()) {
            out.writeStartArray();
            for (Iterator<JsonNode> items = value.elements(); items.hasNext();) {
                write(items.next(), out);
            }
            out.writeEndArray();
        } else if (value.isNumber() && !value.isIntegralNumber() && value.asDouble() == Math.rint(value.asDouble())
                && Math.abs(value.asDouble()) < 9.007199254740992E15) {
            out.writeNumber(value.asLong());
        } else {
            out.writeTree(value);
        }
    }
}

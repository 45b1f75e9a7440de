package com.permamind.gateway.events;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.permamind.gateway.JsonMappers;
import com.permamind.gateway.query.BadRequestException;
import com.permamind.gateway.query.RegistryRequest;
import com.permamind.gateway.query.RegistryRequests;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.Header;
import org.apache.camel.Message;

/**
 * Reads {@code POST /api/skills/{name}/downloads} into a {@link DownloadEvent}. The name and version
 * rules are the Lua module's {@code record-download}: it runs over an empty state, so bad input is
 * refused exactly as a node would refuse it, and nothing upstream is called.
 */
public class DownloadEvents {

    public static final String EVENT_ID = "downloadEventId";
    /** The event's skill, which keys it on the topic. */
    public static final String SKILL = "downloadSkill";
    /** The Lua function whose rules a download's name and version must meet. */
    public static final String RECORD_DOWNLOAD = "record-download";
    static final int MAX_USER_AGENT_CHARS = 512;

    private final RegistryRequests requests;
    private final Clock clock;
    private final ObjectMapper json = JsonMappers.mapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    public DownloadEvents(RegistryRequests requests, Clock clock) {
        this.requests = requests;
        this.clock = clock;
    }

    /**
     * The event for this request, its id left in {@value #EVENT_ID} and its skill in {@value #SKILL};
     * bad input is a {@link BadRequestException}.
     */
    public DownloadEvent accept(Exchange exchange, @Header("name") Object name, @Header("User-Agent") String userAgent,
            @ExchangeProperty(DownloadClients.CLIENT_HASH) String client) {
        String skill = pathParam(name);
        String version = version(text(exchange.getMessage()));
        requests.validate(recordDownload(skill, version));
        DownloadEvent event = new DownloadEvent(DownloadEvent.SCHEMA, UUID.randomUUID().toString(), DownloadEvent.TYPE,
                skill, version, clock.millis(), new DownloadEvent.Client(shorten(userAgent), client));
        exchange.setProperty(EVENT_ID, event.eventId());
        exchange.setProperty(SKILL, skill);
        return event;
    }

    /** The module's record-download over an empty state: the rules a download's name and version must meet. */
    static RegistryRequest recordDownload(String skill, String version) {
        TreeMap<String, String> params = new TreeMap<>();
        if (skill != null) {
            params.put("name", skill);
        }
        if (version != null) {
            params.put("version", version);
        }
        return new RegistryRequest(RECORD_DOWNLOAD, RECORD_DOWNLOAD, params);
    }

    // A query parameter or request header of the same name comes first in a list: the path's is last.
    private static String pathParam(Object value) {
        if (value instanceof List<?> values) {
            value = values.isEmpty() ? null : values.get(values.size() - 1);
        }
        return value == null ? null : value.toString();
    }

    // The body as UTF-8 text without Camel's type converters: platform-http leaves a Vert.x buffer, and
    // the converters went through a stream read a character at a time (in the event loop's profile it
    // cost as much as the rest of this method).
    private static String text(Message in) {
        Object body = in.getBody();
        if (body == null || body instanceof String) {
            return (String) body;
        }
        if (body instanceof byte[] bytes) {
            return new String(bytes, StandardCharsets.UTF_8);
        }
        if (body instanceof Buffer buffer) {
            return buffer.toString(StandardCharsets.UTF_8);
        }
        return in.getBody(String.class);
    }

    private String version(String body) {
        if (body == null || body.isBlank()) {
            return null;
        }
        JsonNode document;
        try {
            document = json.readTree(body);
        } catch (JsonProcessingException e) {
            throw new BadRequestException("the body is not valid JSON");
        }
        if (!document.isObject()) {
            throw new BadRequestException("the body must be a JSON object like {\"version\": \"1.2.0\"}");
        }
        JsonNode version = document.path("version");
        if (version.isMissingNode() || version.isNull()) {
            return null;
        }
        if (!version.isTextual()) {
            throw new BadRequestException("version must be a string like \"1.2.0\"");
        }
        return version.asText();
    }

    private static String shorten(String userAgent) {
        if (userAgent == null || userAgent.isBlank()) {
            return null;
        }
        if (userAgent.length() <= MAX_USER_AGENT_CHARS) {
            return userAgent;
        }
        int end = Character.isHighSurrogate(userAgent.charAt(MAX_USER_AGENT_CHARS - 1)) ? MAX_USER_AGENT_CHARS - 1
                : MAX_USER_AGENT_CHARS;
        return userAgent.substring(0, end);
    }
}

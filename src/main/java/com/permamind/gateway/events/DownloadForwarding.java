package com.permamind.gateway.events;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.permamind.gateway.JsonMappers;
import com.permamind.gateway.ans104.DataItem;
import com.permamind.gateway.cache.ResponseCache;
import com.permamind.gateway.query.BadRequestException;
import com.permamind.gateway.query.RegistryRequest;
import com.permamind.gateway.query.RegistryRequests;
import java.io.IOException;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.camel.Body;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.support.DefaultExchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The forwarder's judgements on one consumed record: whether it is a download event the registry
 * can record (well formed, name and version by the module's rules, not a skill or version the
 * gateway's cache knows to be missing), the signed message that records it, and whether the
 * upstream took that message. Anything no retry can fix is an {@link UndeliverableEventException},
 * parked with its reason; upstream failures are the sender's, left to retries and the pause.
 *
 * <p>The messages the upstream accepted are remembered (by event id, which fixes the message id):
 * an event that comes again, after the consumer rewound past it, is not sent again.
 */
public class DownloadForwarding {

    public static final String MESSAGE_ID = "downloadMessageId";
    /** Set when the event's message was accepted before: nothing is sent. */
    public static final String REPEAT = "downloadMessageRepeat";

    private static final Logger LOG = LoggerFactory.getLogger(DownloadForwarding.class);
    private static final String GET_SKILL = "get-skill";

    private final RegistryRequests requests;
    private final ResponseCache cache;
    private final CamelContext context;
    private final DownloadMessages messages;
    private final DownloadMetrics metrics;
    private final Cache<String, String> accepted;
    private final ObjectMapper json = JsonMappers.mapper();

    /** @param remembered how many accepted messages are remembered */
    public DownloadForwarding(RegistryRequests requests, ResponseCache cache, CamelContext context,
            DownloadMessages messages, DownloadMetrics metrics, long remembered) {
        this.requests = requests;
        this.cache = cache;
        this.context = context;
        this.messages = messages;
        this.metrics = metrics;
        this.accepted = Caffeine.newBuilder().maximumSize(remembered).build();
    }

    /** The record's message, signed, as the body; or, when it was accepted before, no body and {@value #REPEAT}. */
    public byte[] message(Exchange exchange, @Body byte[] record) {
        JsonNode event = parse(record);
        JsonNode schema = event.path("schema");
        if (!schema.isIntegralNumber() || schema.asLong() != DownloadEvent.SCHEMA) {
            throw new UndeliverableEventException("malformed: schema is not " + DownloadEvent.SCHEMA);
        }
        if (!DownloadEvent.TYPE.equals(event.path("type").asText(null))) {
            throw new UndeliverableEventException("malformed: type is not " + DownloadEvent.TYPE);
        }
        String eventId = uuid(event.path("eventId"));
        JsonNode skill = event.path("skill");
        JsonNode version = event.path("version");
        if (!skill.isTextual()) {
            throw new UndeliverableEventException("malformed: skill is not a string");
        }
        if (!version.isMissingNode() && !version.isNull() && !version.isTextual()) {
            throw new UndeliverableEventException("malformed: version is neither a string nor null");
        }
        String skillName = skill.asText();
        String versionName = version.isTextual() ? version.asText() : null;
        try {
            requests.validate(DownloadEvents.recordDownload(skillName, versionName));
        } catch (BadRequestException e) {
            throw new UndeliverableEventException("bad_request: " + e.getMessage());
        }
        exchange.setProperty(DownloadEvents.EVENT_ID, eventId);
        String acceptedBefore = accepted.getIfPresent(eventId);
        if (acceptedBefore != null) {
            metrics.repeatAvoided();
            LOG.debug("download event {}: its message {} was accepted already, not sent again", eventId, acceptedBefore);
            exchange.setProperty(MESSAGE_ID, acceptedBefore);
            exchange.setProperty(REPEAT, true);
            return null;
        }
        knownMissing(skillName, versionName).ifPresent(missing -> {
            throw new UndeliverableEventException("not_found: the gateway's cache holds a 404 for " + missing);
        });
        DataItem item = messages.sign(eventId, skillName, versionName);
        exchange.setProperty(MESSAGE_ID, item.id());
        return item.toBytes();
    }

    /** The upstream's answer: accepted is remembered and counted; refused is final, so the event is parked. */
    public void delivered(@Body DownloadMessageSender.Answer answer,
            @ExchangeProperty(DownloadEvents.EVENT_ID) String eventId,
            @ExchangeProperty(MESSAGE_ID) String messageId) {
        if (!answer.accepted()) {
            throw new UndeliverableEventException("refused: " + answer.refusal());
        }
        accepted.put(eventId, messageId);
        if (answer.before()) {
            metrics.takenBefore();
            LOG.debug("download event {}: the upstream already had its message {}, counted once", eventId, messageId);
        } else {
            metrics.delivered();
            LOG.debug("download event {} delivered as message {}", eventId, messageId);
        }
    }

    // What a reader was told lately: a 404 for the skill, or for this version of it. Looked up as a
    // get-skill read would be; the cache never waits, so neither does the delivery.
    private Optional<String> knownMissing(String skill, String version) {
        if (notFoundCached(skill, null)) {
            return Optional.of("skill '" + skill + "'");
        }
        if (version != null && notFoundCached(skill, version)) {
            return Optional.of("skill '" + skill + "' version '" + version + "'");
        }
        return Optional.empty();
    }

    private boolean notFoundCached(String skill, String version) {
        TreeMap<String, String> params = new TreeMap<>();
        params.put("name", skill);
        if (version != null) {
            params.put("version", version);
        }
        return cache.holdsNotFound(new RegistryRequest(GET_SKILL, GET_SKILL, params));
    }

    private JsonNode parse(byte[] record) {
        if (record == null || record.length == 0) {
            throw new UndeliverableEventException("malformed: empty record");
        }
        try {
            JsonNode node = json.readTree(record);
            if (node == null || !node.isObject()) {
                throw new UndeliverableEventException("malformed: not a JSON object");
            }
            return node;
        } catch (IOException e) {
            throw new UndeliverableEventException("malformed: not JSON");
        }
    }

    private static String uuid(JsonNode eventId) {
        if (eventId.isTextual()) {
            try {
                String text = eventId.asText();
                if (UUID.fromString(text).toString().equals(text)) {
                    return text;
                }
            } catch (IllegalArgumentException e) {
                // reported below
            }
        }
        throw new UndeliverableEventException("malformed: eventId is not a UUID");
    }
}

package com.permamind.gateway.events;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.permamind.gateway.query.BadRequestException;
import com.permamind.gateway.query.RegistryRequest;
import com.permamind.gateway.query.RegistryRequests;
import java.io.IOException;
import java.util.UUID;
import org.apache.camel.Body;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The forwarder's two judgements: whether a consumed record is a deliverable download event, and
 * whether the node's answer delivered it. Anything no retry can fix is an
 * {@link UndeliverableEventException}, parked with its reason; anything else is left to retries.
 */
public class DownloadForwarding {

    private static final Logger LOG = LoggerFactory.getLogger(DownloadForwarding.class);

    private final RegistryRequests requests;
    private final ObjectMapper json = new ObjectMapper();

    public DownloadForwarding(RegistryRequests requests) {
        this.requests = requests;
    }

    /** Reads the record into the node call that records it, left where the HyperBEAM reader takes it. */
    public void request(Exchange exchange, @Body byte[] record) {
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
            // without the event id, which the module ignores: so its verdict is remembered per skill and version
            requests.validate(DownloadEvents.recordDownload(skillName, versionName, null));
        } catch (BadRequestException e) {
            throw new UndeliverableEventException("bad_request: " + e.getMessage());
        }
        exchange.setProperty(DownloadEvents.EVENT_ID, eventId);
        exchange.setProperty(RegistryRequests.REQUEST, DownloadEvents.recordDownload(skillName, versionName, eventId));
    }

    /** The node ran record-download: a refusal ({@code ok=false}) is final, so the event is parked. */
    public void delivered(@Body JsonNode result, @ExchangeProperty(DownloadEvents.EVENT_ID) String eventId) {
        // the reader only returns a JSON {ok, ...} answer, as the tree it parsed: no text and no second parse
        if (result.path("ok").asBoolean()) {
            LOG.debug("download event {} delivered to HyperBEAM", eventId);
            return;
        }
        JsonNode error = result.path("error");
        throw new UndeliverableEventException(error.path("kind").asText("refused") + ": "
                + error.path("message").asText("the registry module refused the event"));
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

package com.permamind.gateway.events;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * One recorded download, as it goes on the Kafka topic for the forwarder and for analytics
 * (registry-contract.md section 6, docs/download-event.schema.json). Fields are only ever added,
 * with {@link #SCHEMA} raised when a change would break a consumer.
 *
 * @param version    the version downloaded, or {@code null} when the client did not say
 * @param occurredAt when the gateway accepted it, in milliseconds since the epoch
 */
@JsonPropertyOrder({"schema", "eventId", "type", "skill", "version", "occurredAt", "client"})
@JsonInclude(JsonInclude.Include.ALWAYS)
@JsonIgnoreProperties(ignoreUnknown = true)
public record DownloadEvent(int schema, String eventId, String type, String skill, String version, long occurredAt,
        Client client) {

    public static final int SCHEMA = 1;
    public static final String TYPE = "skill.downloaded";

    /**
     * Who downloaded, without saying who: never the address itself.
     *
     * @param userAgent the client's User-Agent, shortened; {@code null} when it sent none
     * @param ipHash    HMAC-SHA256 of the client's address with the gateway's secret, hex
     */
    @JsonPropertyOrder({"userAgent", "ipHash"})
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Client(String userAgent, String ipHash) {
    }
}

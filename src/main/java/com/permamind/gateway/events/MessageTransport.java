package com.permamind.gateway.events;

import com.permamind.gateway.ans104.Tag;
import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The two ways a download message reaches the registry process (registry-contract.md section 6),
 * each with the protocol tags, the address and the headers the contract gives it.
 */
public enum MessageTransport {

    /** Mainnet: a HyperBEAM node schedules the message on the process. */
    HYPERBEAM(List.of(new Tag("Data-Protocol", "ao"), new Tag("Type", "Message"), new Tag("Variant", "ao.N.1"),
            new Tag("signing-format", "ans104"), new Tag("accept-bundle", "true"),
            new Tag("require-codec", "application/json")), "application/ans104", Map.of("codec-device", "ans104@1.0")),
    /** Legacynet: the messenger unit hands it to the process's scheduler. */
    MU(List.of(new Tag("Data-Protocol", "ao"), new Tag("Variant", "ao.TN.1"), new Tag("Type", "Message"),
            new Tag("SDK", "permamind-registry-gateway"), new Tag("Content-Type", "text/plain")),
            "application/octet-stream", Map.of());

    private final List<Tag> protocolTags;
    private final String contentType;
    private final Map<String, String> headers;

    MessageTransport(List<Tag> protocolTags, String contentType, Map<String, String> headers) {
        this.protocolTags = protocolTags;
        this.contentType = contentType;
        this.headers = headers;
    }

    public static MessageTransport of(String setting) {
        try {
            return valueOf(setting.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("download-events.forwarder.transport is '" + setting
                    + "', expected hyperbeam or mu");
        }
    }

    List<Tag> protocolTags() {
        return protocolTags;
    }

    String contentType() {
        return contentType;
    }

    /** Headers besides the content type. */
    Map<String, String> headers() {
        return headers;
    }

    /** Where a message goes on one of the transport's upstreams (a node, or the messenger unit). */
    URI target(URI upstream, String processId) {
        String base = upstream.toString().replaceAll("/+$", "");
        return URI.create(this == HYPERBEAM ? base + "/" + processId + "~process@1.0/push" : base + "/");
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}

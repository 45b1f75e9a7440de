package com.permamind.gateway.simulator;

import com.permamind.gateway.ans104.Base64Url;
import com.permamind.gateway.ans104.DataItem;
import com.permamind.gateway.ans104.Tag;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * What a messenger unit or a HyperBEAM node does with a signed message for the registry process
 * (contract §6), shared by both ways in: the data item checked (signature type 1, signature by its
 * owner, target the process, the transport's protocol tags), a repeated id refused, then the
 * message handed to the process. Only Record-Download changes anything here: it is applied to the
 * live state as the process's handler does, stamped with the arrival time.
 */
final class MessageIntake {

    /** A way in, with the {@code Variant} its messages carry. */
    enum Transport {
        HYPERBEAM("hyperbeam", "ao.N.1"),
        MESSENGER_UNIT("mu", "ao.TN.1");

        final String id;
        final String variant;

        Transport(String id, String variant) {
            this.id = id;
            this.variant = variant;
        }
    }

    /** The answer to one message: taken (status 2xx, the message), or refused with a reason. */
    record Verdict(int status, String reason, ReceivedMessage message) {

        boolean taken() {
            return message != null;
        }
    }

    private final String processId;
    private final byte[] processTarget;
    private final ProcessState state;
    private final LongSupplier clock;
    private final Set<String> seen = ConcurrentHashMap.newKeySet();
    private final List<ReceivedMessage> taken = new CopyOnWriteArrayList<>();
    private final List<Consumer<ReceivedMessage>> listeners = new CopyOnWriteArrayList<>();

    MessageIntake(String processId, ProcessState state, LongSupplier clock) {
        this.processId = processId;
        this.processTarget = decodeProcessId(processId);
        this.state = state;
        this.clock = clock;
    }

    /** The request's body bytes (none when it had no body). */
    static byte[] body(RoutingContext context) {
        Buffer body = context.body().buffer();
        return body == null ? new byte[0] : body.getBytes();
    }

    Verdict take(byte[] body, Transport via) {
        DataItem item;
        try {
            item = DataItem.parse(body);
        } catch (IllegalArgumentException e) {
            return refused(400, "invalid data item: " + e.getMessage());
        }
        if (!item.verify()) {
            return refused(400, "invalid data item: the signature does not verify against its owner");
        }
        if (item.target().isEmpty() || !Arrays.equals(processTarget, item.target().get())) {
            return refused(400, "invalid data item: its target is not process " + processId);
        }
        Map<String, String> tags = new LinkedHashMap<>();
        for (Tag tag : item.tags()) {
            tags.put(tag.name(), tag.value());
        }
        for (Map.Entry<String, String> required : Map.of("Data-Protocol", "ao", "Type", "Message",
                "Variant", via.variant).entrySet()) {
            if (!required.getValue().equals(tags.get(required.getKey()))) {
                return refused(400, "invalid message: tag " + required.getKey() + " must be " + required.getValue());
            }
        }
        String id = item.id();
        if (!seen.add(id)) {
            return refused(409, "message " + id + " already exists");
        }
        long arrivedAt = clock.getAsLong();
        Integer count = null;
        if ("Record-Download".equals(tags.get("Action"))) {
            OptionalInt recorded = state.recordDownload(tags.getOrDefault("Name", ""), tags.get("Version"), arrivedAt);
            count = recorded.isPresent() ? recorded.getAsInt() : null;
        }
        ReceivedMessage message = new ReceivedMessage(id, item.ownerAddress(), Map.copyOf(tags),
                new String(item.data(), StandardCharsets.UTF_8), arrivedAt, via.id, count);
        taken.add(message);
        listeners.forEach(listener -> listener.accept(message));
        return new Verdict(200, null, message);
    }

    void onTaken(Consumer<ReceivedMessage> listener) {
        listeners.add(listener);
    }

    List<ReceivedMessage> taken() {
        return List.copyOf(taken);
    }

    /** Forgets the messages taken; the ids seen stay refused, as a scheduler never forgets one. */
    void reset() {
        taken.clear();
    }

    private static Verdict refused(int status, String reason) {
        return new Verdict(status, reason, null);
    }

    private static byte[] decodeProcessId(String processId) {
        try {
            byte[] target = Base64Url.decode(processId);
            return target.length == 32 ? target : new byte[0];
        } catch (IllegalArgumentException e) {
            return new byte[0];
        }
    }
}

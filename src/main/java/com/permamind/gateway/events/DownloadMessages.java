package com.permamind.gateway.events;

import com.permamind.gateway.ans104.ArweaveWallet;
import com.permamind.gateway.ans104.Base64Url;
import com.permamind.gateway.ans104.DataItem;
import com.permamind.gateway.ans104.Tag;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;

/**
 * Turns a download event into the AO message that records it (registry-contract.md section 6): an
 * ANS-104 data item signed with the gateway's wallet, target the registry process, tags
 * {@code Action=Record-Download}, {@code Name}, {@code Version} (only when the event has one) and
 * the transport's protocol tags; its data is the event id. The RSA-PSS salt comes from the event
 * id, so one event always becomes the same bytes and the same message id, however often it is sent.
 *
 * <p>Without a wallet there is nothing to sign with: {@link #signer()} is empty and
 * {@link #missingWallet()} says why, and the forwarder does not start.
 *
 * <p>Signing (RSA-4096, several ms of CPU) runs on {@code signers}, a few platform threads, while
 * the delivery that asked waits on its virtual thread: on the carriers, which the JVM does not
 * time-slice, signatures held both of them and the POSTs' sends waited behind (docs/java25.md).
 */
public class DownloadMessages {

    public static final String ACTION = "Record-Download";

    private final Optional<ArweaveWallet> wallet;
    private final String missingWallet;
    private final byte[] target;
    private final MessageTransport transport;
    private final ExecutorService signers;

    public DownloadMessages(Optional<ArweaveWallet> wallet, String missingWallet, String processId,
            MessageTransport transport, ExecutorService signers) {
        this.signers = signers;
        this.wallet = wallet;
        this.missingWallet = missingWallet;
        this.target = processTarget(processId);
        this.transport = transport;
    }

    // a process id is 32 bytes, base64url: anything else can never be a message's target
    private static byte[] processTarget(String processId) {
        try {
            byte[] target = Base64Url.decode(processId);
            if (target.length == 32) {
                return target;
            }
        } catch (IllegalArgumentException e) {
            // said below
        }
        throw new IllegalArgumentException("registry.process-id '" + processId
                + "' is not an AO process id (43 base64url characters)");
    }

    /** The wallet address messages are signed as, when there is a wallet. */
    public Optional<String> signer() {
        return wallet.map(ArweaveWallet::address);
    }

    /** Why there is no wallet (empty when there is one). */
    public String missingWallet() {
        return missingWallet;
    }

    public MessageTransport transport() {
        return transport;
    }

    public DataItem sign(String eventId, String skill, String version) {
        List<Tag> tags = new ArrayList<>();
        tags.add(new Tag("Action", ACTION));
        tags.add(new Tag("Name", skill));
        if (version != null) {
            tags.add(new Tag("Version", version));
        }
        tags.addAll(transport.protocolTags());
        ArweaveWallet signer = wallet.orElseThrow(() -> new IllegalStateException(missingWallet));
        Future<DataItem> signed = signers.submit(() -> DataItem.signRepeatably(signer, target, tags,
                eventId.getBytes(StandardCharsets.UTF_8), eventId));
        try {
            return signed.get();
        } catch (InterruptedException e) {
            signed.cancel(true);
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while signing the message of event " + eventId, e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException runtime ? runtime : new IllegalStateException(e.getCause());
        }
    }
}

package com.permamind.gateway.events;

import com.permamind.gateway.BoundedVirtualThreads;
import com.permamind.gateway.OnceMadeBeans;
import com.permamind.gateway.ans104.ArweaveWallet;
import com.permamind.gateway.ans104.WalletException;
import com.permamind.gateway.cache.ResponseCache;
import com.permamind.gateway.health.DownloadForwarderHealthCheck;
import com.permamind.gateway.query.RegistryRequests;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Predicate;
import org.apache.camel.BeanInject;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.ExtendedStartupListener;
import org.apache.camel.PropertyInject;
import org.apache.camel.ServiceStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The beans of the download events routes (download-events.yaml, download-forwarder.yaml); every
 * setting comes from the {@code download-events.*} properties.
 */
public class DownloadEventsConfiguration extends OnceMadeBeans {

    private static final Logger LOG = LoggerFactory.getLogger(DownloadEventsConfiguration.class);
    private static final int GENERATED_SECRET_BYTES = 32;
    /** Started only once there is a wallet to sign with (download-forwarder.yaml). */
    static final String FORWARDER_ROUTE = "download-forwarder";

    @BindToRegistry
    public DownloadClients downloadClients(
            @PropertyInject(value = "download-events.client-hash-secret", defaultValue = "") String secret,
            @PropertyInject(value = "download-events.client-address-header", defaultValue = "") String addressHeader,
            @PropertyInject("download-events.rate-limit.events-per-period") int eventsPerPeriod,
            @PropertyInject("download-events.rate-limit.period-millis") long periodMillis) {
        return once("downloadClients", () -> {
            byte[] key;
            if (secret.isBlank()) {
                key = new byte[GENERATED_SECRET_BYTES];
                new SecureRandom().nextBytes(key);
                LOG.warn("download-events.client-hash-secret is not set: client hashes use a random secret and change "
                        + "at every restart; set DOWNLOAD_EVENTS_CLIENT_HASH_SECRET in production");
            } else {
                key = secret.getBytes(StandardCharsets.UTF_8);
            }
            LOG.info("Download events: at most {} per client every {} ms, client address from {}", eventsPerPeriod,
                    periodMillis, addressHeader.isBlank() ? "the connection" : "the last entry of " + addressHeader);
            return new DownloadClients(key, addressHeader, eventsPerPeriod, Duration.ofMillis(periodMillis));
        });
    }

    // lazy: the beans it needs come from GatewayConfiguration, which may be bound after this one
    @BindToRegistry(lazy = true)
    public DownloadEvents downloadEvents(@BeanInject("registryRequests") RegistryRequests requests) {
        // the real clock, never the pinned one: an event says when it happened
        return new DownloadEvents(requests, Clock.systemUTC());
    }

    @BindToRegistry
    public DownloadEventAnswers downloadEventAnswers(
            @PropertyInject("download-events.retry-after-seconds") int retryAfterSeconds) {
        return once("downloadEventAnswers", () -> new DownloadEventAnswers(retryAfterSeconds));
    }

    @BindToRegistry
    public DownloadMetrics downloadMetrics(@BeanInject MeterRegistry meters,
            @PropertyInject("download-events.forwarder.transport") String transport) {
        return once("downloadMetrics", () -> new DownloadMetrics(meters, MessageTransport.of(transport)));
    }

    /**
     * The messages' signer. Without a usable wallet the forwarder route is not started, and says
     * why (here, and in the readiness details): the events wait on the topic for a wallet.
     */
    @BindToRegistry
    public DownloadMessages downloadMessages(CamelContext context,
            @PropertyInject(value = "download-events.wallet-file", defaultValue = "") String walletFile,
            @PropertyInject(value = "download-events.wallet-throwaway", defaultValue = "false") boolean throwaway,
            @PropertyInject("registry.process-id") String processId,
            @PropertyInject("download-events.forwarder.transport") String transportSetting,
            @PropertyInject("download-events.forwarder.enabled") boolean forwarderEnabled,
            @PropertyInject("download-events.forwarder.signing-threads") int signingThreads) {
        return once("downloadMessages", () -> {
            MessageTransport transport = MessageTransport.of(transportSetting);
            Optional<ArweaveWallet> wallet = Optional.empty();
            String missing = "";
            if (!walletFile.isBlank()) {
                try {
                    wallet = Optional.of(ArweaveWallet.load(Path.of(walletFile.strip())));
                } catch (WalletException e) {
                    missing = e.getMessage();
                }
            } else if (throwaway) {
                wallet = Optional.of(ArweaveWallet.generate());
                LOG.warn("Download messages are signed with a throwaway wallet made at start (the embedded default): "
                        + "{}; it is gone when the gateway stops", wallet.get().address());
            } else {
                missing = "download-events.wallet-file is not set (DOWNLOAD_EVENTS_WALLET_FILE)";
            }
            int signers = signingThreads > 0 ? signingThreads : Runtime.getRuntime().availableProcessors();
            DownloadMessages messages = new DownloadMessages(wallet, missing, processId, transport,
                    context.getExecutorServiceManager().newFixedThreadPool(this, "download message signing", signers));
            if (!forwarderEnabled) {
                LOG.warn("Download forwarder switched off (download-events.forwarder.enabled, DOWNLOAD_EVENTS_FORWARDER_ENABLED): "
                        + "download events are accepted and wait on the topic");
            } else if (wallet.isPresent()) {
                LOG.info("Download forwarder: Record-Download messages signed as {}, sent by {}", wallet.get().address(),
                        transport);
                startForwarderOnceStarted(context);
            } else {
                LOG.error("Download forwarder not started: {}. Download events are still accepted and wait on the topic "
                        + "until a wallet is set", missing);
            }
            return messages;
        });
    }

    private static void startForwarderOnceStarted(CamelContext context) {
        try {
            context.addStartupListener(new ExtendedStartupListener() {
                @Override
                public void onCamelContextStarted(CamelContext started, boolean alreadyStarted) {
                }

                @Override
                public void onCamelContextFullyStarted(CamelContext started, boolean alreadyStarted) throws Exception {
                    started.getRouteController().startRoute(FORWARDER_ROUTE);
                }
            });
        } catch (Exception e) {
            throw new IllegalStateException("cannot arrange the forwarder's start", e);
        }
    }

    /**
     * Where POSTs hand their event to the Kafka producer (the threads step of download-events.yaml):
     * a send blocks only while Kafka's metadata is missing or its buffer is full (up to max-block),
     * each on a virtual thread of its own. At most send-queue POSTs wait there; one more is answered
     * 503 with Retry-After.
     */
    @BindToRegistry
    public ExecutorService downloadEventSends(CamelContext context,
            @PropertyInject("download-events.send-queue") int waiting) {
        return once("downloadEventSends", () -> new BoundedVirtualThreads("download event sends", waiting, 0,
                "download-event-send").stoppedWith(context));
    }

    /**
     * Where a POST goes on once Kafka has acknowledged its event (the Kafka producer's worker pool,
     * download-events.yaml), instead of the producer's own pool of ten platform threads: a virtual
     * thread per acknowledgement, never refused (the producer's buffer bounds the events awaiting one).
     */
    @BindToRegistry
    public ExecutorService downloadEventAcks(CamelContext context) {
        return once("downloadEventAcks", () -> new BoundedVirtualThreads("download event acknowledgements",
                Integer.MAX_VALUE, 0, "download-event-ack").stoppedWith(context));
    }

    /**
     * Where the forwarder's deliveries run (the split of download-forwarder.yaml), each on a virtual
     * thread of its own: at most deliveries-at-once calls to the upstream at once, the rest of each
     * poll's events in line for their turn. A poll holds at most max-poll-records events and each
     * consumer waits for its poll's deliveries, so the line never refuses one.
     */
    @BindToRegistry
    public ExecutorService forwarderDeliveries(CamelContext context,
            @PropertyInject("download-events.forwarder.deliveries-at-once") int atOnce,
            @PropertyInject("download-events.forwarder.max-poll-records") int maxPollRecords,
            @PropertyInject("download-events.forwarder.consumers") int consumers) {
        return once("forwarderDeliveries", () -> new BoundedVirtualThreads("forwarder deliveries", atOnce,
                maxPollRecords * Math.max(1, consumers), "forwarder-delivery").stoppedWith(context));
    }

    @BindToRegistry
    public DownloadMessageSender downloadMessageSender(
            @PropertyInject("download-events.forwarder.transport") String transportSetting,
            @PropertyInject("hyperbeam.nodes") String nodes,
            @PropertyInject("ao.mu-url") String messengerUnit,
            @PropertyInject("registry.process-id") String processId,
            @PropertyInject("hyperbeam.connect-timeout-millis") long connectMillis,
            @PropertyInject("download-events.forwarder.timeout-millis") long timeoutMillis,
            @PropertyInject("download-events.forwarder.retries") int retries,
            @PropertyInject("download-events.forwarder.retry-delay-millis") long retryDelayMillis,
            @PropertyInject("download-events.forwarder.max-retry-delay-millis") long maxRetryDelayMillis) {
        return once("downloadMessageSender", () -> {
            MessageTransport transport = MessageTransport.of(transportSetting);
            String upstreams = transport == MessageTransport.HYPERBEAM ? nodes : messengerUnit;
            List<URI> targets = Arrays.stream(upstreams.split(",")).map(String::strip).filter(s -> !s.isEmpty())
                    .map(URI::create).toList();
            // no redirects, no retries of its own: the sender's attempts are the only ones. The client's
            // own steps (handing an answer to the waiting delivery, TLS handshake tasks) on virtual
            // threads too: its default executor, a cached pool, held 44 platform threads after the suite's load
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofMillis(connectMillis)).followRedirects(HttpClient.Redirect.NEVER)
                    .executor(Executors.newVirtualThreadPerTaskExecutor()).build();
            DownloadMessageSender sender = new DownloadMessageSender(http, transport, targets, processId,
                    Duration.ofMillis(timeoutMillis), retries + 1, Duration.ofMillis(retryDelayMillis),
                    Duration.ofMillis(maxRetryDelayMillis));
            LOG.info("Download messages go to {}", sender.targets());
            return sender;
        });
    }

    // lazy: the beans it needs come from GatewayConfiguration, which may be bound after this one
    @BindToRegistry(lazy = true)
    public DownloadForwarding downloadForwarding(@BeanInject("registryRequests") RegistryRequests requests,
            @BeanInject("responseCache") ResponseCache cache, CamelContext context,
            @BeanInject("downloadMessages") DownloadMessages messages,
            @BeanInject("downloadMetrics") DownloadMetrics metrics,
            @PropertyInject("download-events.forwarder.remembered-messages") long remembered) {
        return new DownloadForwarding(requests, cache, context, messages, metrics, remembered);
    }

    @BindToRegistry
    public ForwarderOffsets forwarderOffsets() {
        return once("forwarderOffsets", ForwarderOffsets::new);
    }

    @BindToRegistry
    public ForwarderPause forwarderPause(@BeanInject MeterRegistry meters,
            @PropertyInject("download-events.forwarder.minimum-pause-millis") long minimumPauseMillis,
            @PropertyInject("download-events.forwarder.maximum-pause-millis") long maximumPauseMillis) {
        return once("forwarderPause", () -> {
            ForwarderPause pause = new ForwarderPause(minimumPauseMillis, maximumPauseMillis);
            Gauge.builder("registry.forwarder.lag.seconds", pause, ForwarderPause::lagSeconds)
                    .description("Age of the oldest download event the forwarder holds and has not finished")
                    .register(meters);
            return pause;
        });
    }

    // lazy: bound after the listener it uses
    @BindToRegistry(lazy = true)
    public ForwarderBatch forwarderBatch(@BeanInject("forwarderPause") ForwarderPause pause) {
        return new ForwarderBatch(pause);
    }

    /**
     * The forwarder's resume check: its own breaker lets calls through again (closed, or half-open
     * to probe). While it is open the forwarder waits, its events on the topic.
     */
    // lazy: the beans it needs come from GatewayConfiguration, which may be bound after this one
    @BindToRegistry(lazy = true)
    public Predicate<Object> forwarderCallable(@BeanInject("forwarderBreaker") CircuitBreaker breaker) {
        return ignored -> breaker.getState() != CircuitBreaker.State.OPEN
                && breaker.getState() != CircuitBreaker.State.FORCED_OPEN;
    }

    // lazy: made on first lookup, once the breaker it shows exists
    @BindToRegistry(lazy = true)
    public DownloadForwarderHealthCheck downloadForwarderHealthCheck(CamelContext context,
            @BeanInject("downloadMessages") DownloadMessages messages,
            @BeanInject("forwarderBreaker") CircuitBreaker breaker,
            @PropertyInject("download-events.forwarder.enabled") boolean forwarderEnabled) {
        return once("downloadForwarderHealthCheck", () -> new DownloadForwarderHealthCheck(messages, breaker,
                forwarderEnabled, () -> context.getRouteController().getRouteStatus(FORWARDER_ROUTE) == ServiceStatus.Started));
    }
}

package com.permamind.gateway.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import java.util.Properties;
import org.apache.camel.component.kafka.DefaultKafkaClientFactory;
import org.apache.kafka.clients.consumer.Consumer;

/**
 * camel-kafka's clients, with the Kafka consumer's own metrics on the gateway's registry
 * (Micrometer's {@code KafkaClientMetrics}: {@code kafka_consumer_fetch_manager_records_lag_max} and
 * the rest), which the operations dashboard reads for the forwarder's lag. The kafka component
 * takes a factory of this type from the registry by itself (autowired).
 */
public class MeteredKafkaClients extends DefaultKafkaClientFactory {

    private final MeterRegistry registry;

    public MeteredKafkaClients(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public Consumer getConsumer(Properties properties) {
        Consumer consumer = super.getConsumer(properties);
        new KafkaClientMetrics(consumer).bindTo(registry);
        return consumer;
    }
}

package io.lifeboat.incident;

import io.lifeboat.events.CloudEvent;
import io.lifeboat.events.EventCodec;
import io.lifeboat.events.EventPayload;
import io.lifeboat.incident.eventlog.EventStore;
import io.lifeboat.testsupport.TestServers;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import static org.awaitility.Awaitility.await;

/** Publishes events to the real broker as the other services' outbox relays would, and waits until stored. */
final class Publish {

    private static KafkaProducer<String, String> producer;

    private Publish() {
    }

    static synchronized KafkaProducer<String, String> producer() {
        if (producer == null) {
            producer = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, TestServers.get().kafka().bootstrapServers(),
                    ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName(),
                    ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName()));
        }
        return producer;
    }

    static CloudEvent send(String source, EventPayload payload, Instant time) {
        CloudEvent event = EventCodec.create(source, "test", payload, time);
        try {
            producer().send(new ProducerRecord<>(event.eventType().orElseThrow().topic().topicName(), event.subject(),
                    EventCodec.toJson(event))).get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return event;
    }

    static void sendRaw(String topic, String key, String json) {
        try {
            producer().send(new ProducerRecord<>(topic, key, json)).get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static void awaitStored(EventStore store, CloudEvent... events) {
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            for (CloudEvent e : events) {
                if (store.count(e.id()) != 1) return false;
            }
            return true;
        });
    }
}

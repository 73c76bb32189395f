package io.lifeboat.incident;

import io.lifeboat.events.CloudEvent;
import io.lifeboat.events.EventCodec;
import io.lifeboat.events.backup.BackupCompleted;
import io.lifeboat.incident.eventlog.EventStore;
import io.lifeboat.testsupport.TestServers;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import jakarta.inject.Inject;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import static io.lifeboat.incident.RealServers.as;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.*;

/** The event log consumes the real broker: idempotent on event id, dead-letters what it cannot parse. */
@QuarkusTest
class EventLogTest {

    private static KafkaProducer<String, String> producer;

    @Inject
    EventStore store;

    @BeforeAll
    static void producer() {
        producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, TestServers.get().kafka().bootstrapServers(),
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName(),
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName()));
    }

    @AfterAll
    static void close() {
        producer.close();
    }

    @Test
    void theSameEventDeliveredTwiceIsStoredOnce() throws Exception {
        CloudEvent event = completed("dedupe-src");
        String json = EventCodec.toJson(event);
        send("lifeboat.backup", "dedupe-src", json);
        send("lifeboat.backup", "dedupe-src", json);
        CloudEvent marker = completed("dedupe-src");
        send("lifeboat.backup", "dedupe-src", EventCodec.toJson(marker));

        // the marker comes after both copies on the same partition: once it is stored, both copies were consumed
        await().atMost(Duration.ofSeconds(60)).until(() -> store.count(marker.id()) == 1);
        assertThat(store.count(event.id())).isEqualTo(1);

        as("viewer").queryParam("subject", "dedupe-src").get("/events").then().statusCode(200)
                .body("items.id", hasItems(event.id(), marker.id()))
                .body("items.findAll { it.id == '" + event.id() + "' }.size()", is(1))
                .body("items[0].type", is("lifeboat.backup.completed.v1"))
                .body("items[0].data.sha256", is("ab12"));
    }

    @Test
    void aMalformedMessageGoesToTheDeadLetterTopicAndConsumptionContinues() throws Exception {
        String garbage = "this is not a cloud event " + UUID.randomUUID();
        String wrongData = EventCodec.toJson(new CloudEvent("1.0", UUID.randomUUID().toString(), "/test",
                "lifeboat.backup.completed.v1", "dlq-src", Instant.now(), "application/json", "test",
                EventCodec.mapper().readTree("{\"sizeBytes\": \"lots\"}")));
        send("lifeboat.backup", "dlq-src", garbage);
        send("lifeboat.backup", "dlq-src", wrongData);
        CloudEvent next = completed("dlq-src");
        send("lifeboat.backup", "dlq-src", EventCodec.toJson(next));

        await().atMost(Duration.ofSeconds(60)).until(() -> store.count(next.id()) == 1);
        var deadLetters = TestServers.get().kafka().readTopic("lifeboat.dead-letter", Duration.ofSeconds(4));
        assertThat(deadLetters).anyMatch(r -> r.value().equals(garbage));
        assertThat(deadLetters).anyMatch(r -> r.value().equals(wrongData));
    }

    @Test
    void eventsAreListedNewestFirstWithACursor() throws Exception {
        String subject = "page-src-" + UUID.randomUUID().toString().substring(0, 8);
        CloudEvent last = null;
        for (int i = 0; i < 5; i++) {
            last = EventCodec.create("/test", "test", sample(subject), Instant.parse("2026-11-0" + (i + 1) + "T02:00:00Z"));
            send("lifeboat.backup", subject, EventCodec.toJson(last));
        }
        CloudEvent newest = last;
        await().atMost(Duration.ofSeconds(60)).until(() -> store.count(newest.id()) == 1);

        String cursor = as("viewer").queryParam("subject", subject).queryParam("limit", 2).get("/events")
                .then().statusCode(200)
                .body("items.size()", is(2))
                .body("items[0].time", is("2026-11-05T02:00:00Z"))
                .body("items[1].time", is("2026-11-04T02:00:00Z"))
                .body("nextCursor", notNullValue())
                .extract().path("nextCursor");
        as("viewer").queryParam("subject", subject).queryParam("limit", 2).queryParam("cursor", cursor).get("/events")
                .then().statusCode(200).body("items.time", contains("2026-11-03T02:00:00Z", "2026-11-02T02:00:00Z"));
        as("viewer").queryParam("type", "lifeboat.backup.completed.v1").queryParam("limit", 1000).get("/events")
                .then().statusCode(200).body("items.type", everyItem(is("lifeboat.backup.completed.v1")));
    }

    @Test
    void badListParametersAre400s() {
        as("viewer").queryParam("limit", 0).get("/events").then().statusCode(400).body("errors.field", hasItem("limit"));
        as("viewer").queryParam("limit", 1001).get("/events").then().statusCode(400).body("detail", containsString("limit"));
        as("viewer").queryParam("cursor", "@@@").get("/events").then().statusCode(400).body("errors.field", hasItem("cursor"));
        RestAssured.given().get("/events").then().statusCode(401).contentType("application/problem+json");
    }

    @Test
    void readinessReflectsTheDatabaseAndKafka() {
        RestAssured.given().get("/q/health/ready").then().statusCode(200).body("status", is("UP"))
                .body("checks.name", hasItem(containsString("Kafka")));
    }

    private static CloudEvent completed(String source) {
        return EventCodec.create("/lifeboat/backup-service", "schedule", sample(source));
    }

    private static BackupCompleted sample(String source) {
        Instant now = Instant.now();
        return new BackupCompleted(source + "-20261125T020000Z-0001", source, "postgres", now, now, now, 10, 5, "ab12",
                "k", "m", "zstd", null, Map.of(), Map.of());
    }

    private static void send(String topic, String key, String value) throws Exception {
        producer.send(new ProducerRecord<>(topic, key, value)).get();
    }
}

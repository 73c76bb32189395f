package io.lifeboat.backup;

import io.agroal.api.AgroalDataSource;
import io.lifeboat.events.CloudEvent;
import io.lifeboat.events.EventCodec;
import io.lifeboat.events.backup.BackupFailed;
import io.lifeboat.outbox.Outbox;
import io.lifeboat.testsupport.TestServers;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import static io.lifeboat.backup.RealServers.as;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The transactional outbox against the real PostgreSQL and Kafka broker. */
@QuarkusTest
class OutboxDeliveryTest {

    @Inject
    AgroalDataSource dataSource;

    @Inject
    Outbox outbox;

    @Test
    void stateChangeAndItsEventCommitTogetherAndReachTheBroker() throws Exception {
        as("operator").contentType(ContentType.JSON).body("{\"kind\": \"directory\", \"path\": \"/srv/outbox-a\"}")
                .put("/sources/outbox-a").then().statusCode(201);

        String eventId = await().atMost(Duration.ofSeconds(30))
                .until(() -> sentEventFor("outbox-a", "lifeboat.backup.source.updated.v1"), id -> id != null);

        List<ConsumerRecord<String, String>> copies = recordsWithId("lifeboat.backup", eventId, Duration.ofSeconds(3));
        assertThat(copies).hasSize(1);
        ConsumerRecord<String, String> record = copies.get(0);
        assertThat(record.key()).isEqualTo("outbox-a");
        assertThat(new String(record.headers().lastHeader("content-type").value(), StandardCharsets.UTF_8))
                .startsWith("application/cloudevents+json");
        CloudEvent event = EventCodec.parse(record.value());
        assertThat(event.source()).isEqualTo("/lifeboat/backup-service");
        assertThat(event.actor()).isEqualTo("user:test-operator");
        assertThat(event.data().get("source").asText()).isEqualTo("outbox-a");
    }

    @Test
    void aRolledBackTransactionLeavesNoEvent() throws Exception {
        AtomicReference<CloudEvent> appended = new AtomicReference<>();
        assertThatThrownBy(() -> QuarkusTransaction.requiringNew().run(() -> {
            appended.set(outbox.append("test", new BackupFailed("rolled-back-1", "rollback-src", "Upload", "boom",
                    Instant.now(), Instant.now())));
            throw new IllegalStateException("state change failed");
        })).isInstanceOf(IllegalStateException.class);
        assertThat(appended.get()).isNotNull();
        assertThat(outboxRowCount(appended.get().id())).isZero();
    }

    @Test
    void appendOutsideATransactionIsRefused() {
        assertThatThrownBy(() -> outbox.append("test", new BackupFailed("x", "y", "z", "e", Instant.now(), Instant.now())))
                .hasMessageContaining("Transaction");
    }

    @Test
    void eventsWaitInTheOutboxWhileKafkaIsDownAndAreDeliveredOnceAfterwards() throws Exception {
        TestServers servers = TestServers.get();
        servers.kafka().stop();
        try {
            as("operator").contentType(ContentType.JSON).body("{\"kind\": \"directory\", \"path\": \"/srv/outbox-down\"}")
                    .put("/sources/outbox-down").then().statusCode(201);
            String eventId = eventFor("outbox-down", "lifeboat.backup.source.updated.v1");
            assertThat(eventId).as("the state change committed with its event").isNotNull();
            // the relay keeps trying; the row stays unsent while the broker is away
            await().pollDelay(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(10)).until(() -> true);
            assertThat(isSent(eventId)).isFalse();
        } finally {
            servers.kafka().start(Duration.ofSeconds(120));
        }
        String eventId = eventFor("outbox-down", "lifeboat.backup.source.updated.v1");
        await().atMost(Duration.ofSeconds(60)).until(() -> isSent(eventId));
        assertThat(recordsWithId("lifeboat.backup", eventId, Duration.ofSeconds(3))).hasSize(1);
    }

    private List<ConsumerRecord<String, String>> recordsWithId(String topic, String eventId, Duration wait) {
        return TestServers.get().kafka().readTopic(topic, wait).stream().filter(r -> r.value().contains(eventId)).toList();
    }

    private String sentEventFor(String subject, String type) throws Exception {
        String id = eventFor(subject, type);
        return id != null && isSent(id) ? id : null;
    }

    private String eventFor(String subject, String type) throws Exception {
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement(
                     "SELECT event_id FROM outbox_event WHERE message_key = ? AND type = ? ORDER BY seq DESC LIMIT 1")) {
            s.setString(1, subject);
            s.setString(2, type);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    private boolean isSent(String eventId) throws Exception {
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement("SELECT sent_at IS NOT NULL FROM outbox_event WHERE event_id = ?::uuid")) {
            s.setString(1, eventId);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() && rs.getBoolean(1);
            }
        }
    }

    private int outboxRowCount(String eventId) throws Exception {
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement("SELECT count(*) FROM outbox_event WHERE event_id = ?::uuid")) {
            s.setString(1, eventId);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }
}

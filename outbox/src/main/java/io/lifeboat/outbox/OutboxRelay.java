package io.lifeboat.outbox;

import io.agroal.api.AgroalDataSource;
import io.lifeboat.events.CloudEvent;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Publishes outbox rows to Kafka in order. Rows are claimed with {@code FOR UPDATE SKIP LOCKED}, so several
 * instances of a service never publish the same row at once; a row is marked sent only after the broker
 * acknowledged it (acks=all, idempotent producer). A failed send leaves the row for the next pass.
 */
@ApplicationScoped
public class OutboxRelay {

    private static final Logger LOG = Logger.getLogger(OutboxRelay.class);

    private final AgroalDataSource dataSource;
    private final OutboxConfig config;
    private final String bootstrapServers;
    private final AtomicLong pending = new AtomicLong();
    private volatile KafkaProducer<String, String> producer;
    private volatile String lastError;

    public OutboxRelay(AgroalDataSource dataSource, OutboxConfig config, MeterRegistry registry,
                       @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers) {
        this.dataSource = dataSource;
        this.config = config;
        this.bootstrapServers = bootstrapServers;
        registry.gauge("lifeboat_outbox_pending_events", pending);
    }

    @Scheduled(every = "${lifeboat.outbox.poll-interval:250ms}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = RelayDisabled.class)
    void relay() {
        try {
            int published;
            do {
                published = QuarkusTransaction.requiringNew().call(this::publishBatch);
            } while (published == config.batchSize());
            pending.set(countUnsent());
        } catch (RuntimeException e) {
            LOG.debugf(e, "outbox relay pass failed");
        }
    }

    /** One pass: claim unsent rows, publish them in order, mark the acknowledged ones sent. */
    int publishBatch() throws SQLException {
        List<Long> sent = new ArrayList<>();
        try (Connection connection = dataSource.getConnection()) {
            List<Row> rows = claim(connection);
            for (Row row : rows) {
                try {
                    send(row);
                    sent.add(row.seq);
                } catch (Exception e) {
                    String reason = e.getCause() != null ? e.getCause().toString() : e.toString();
                    if (!reason.equals(lastError)) {
                        LOG.warnf("outbox: cannot publish %s (%s) to %s yet, will retry: %s", row.type, row.eventId,
                                row.topic, reason);
                    }
                    lastError = reason;
                    recordFailure(connection, row.seq, reason);
                    break; // keep order: later events wait for this one
                }
            }
            markSent(connection, sent);
        }
        if (!sent.isEmpty() && lastError != null) {
            LOG.infof("outbox: publishing again after: %s", lastError);
            lastError = null;
        }
        return sent.size();
    }

    private record Row(long seq, String eventId, String topic, String key, String type, String payload) {
    }

    private List<Row> claim(Connection connection) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(
                "SELECT seq, event_id, topic, message_key, type, payload FROM outbox_event WHERE sent_at IS NULL "
                        + "ORDER BY seq LIMIT ? FOR UPDATE SKIP LOCKED")) {
            select.setInt(1, config.batchSize());
            List<Row> rows = new ArrayList<>();
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    rows.add(new Row(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                            rs.getString(6)));
                }
            }
            return rows;
        }
    }

    private void send(Row row) throws Exception {
        ProducerRecord<String, String> record = new ProducerRecord<>(row.topic, row.key, row.payload);
        record.headers().add("content-type", CloudEvent.STRUCTURED_CONTENT_TYPE.getBytes(StandardCharsets.UTF_8));
        producer().send(record).get(config.sendTimeout().toMillis(), TimeUnit.MILLISECONDS);
    }

    private void markSent(Connection connection, List<Long> seqs) throws SQLException {
        if (seqs.isEmpty()) {
            return;
        }
        try (PreparedStatement update = connection.prepareStatement(
                "UPDATE outbox_event SET sent_at = now(), attempts = attempts + 1, last_error = NULL WHERE seq = ANY (?)")) {
            update.setArray(1, connection.createArrayOf("bigint", seqs.toArray()));
            update.executeUpdate();
        }
    }

    private void recordFailure(Connection connection, long seq, String reason) throws SQLException {
        try (PreparedStatement update = connection.prepareStatement(
                "UPDATE outbox_event SET attempts = attempts + 1, last_error = ? WHERE seq = ?")) {
            update.setString(1, reason.length() > 1000 ? reason.substring(0, 1000) : reason);
            update.setLong(2, seq);
            update.executeUpdate();
        }
    }

    private long countUnsent() {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement count = connection.prepareStatement("SELECT count(*) FROM outbox_event WHERE sent_at IS NULL");
             ResultSet rs = count.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            return pending.get();
        }
    }

    @Scheduled(every = "1h", delayed = "1m")
    void deleteOldSentEvents() {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement delete = connection.prepareStatement(
                     "DELETE FROM outbox_event WHERE sent_at IS NOT NULL AND sent_at < ?")) {
            delete.setObject(1, java.sql.Timestamp.from(Instant.now().minus(config.keepSent())));
            delete.executeUpdate();
        } catch (SQLException e) {
            LOG.warnf("outbox cleanup failed: %s", e.getMessage());
        }
    }

    private KafkaProducer<String, String> producer() {
        KafkaProducer<String, String> current = producer;
        if (current == null) {
            synchronized (this) {
                if (producer == null) {
                    producer = new KafkaProducer<>(Map.of(
                            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                            ProducerConfig.ACKS_CONFIG, "all",
                            ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                            ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5,
                            ProducerConfig.MAX_BLOCK_MS_CONFIG, 5000,
                            ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000,
                            ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) config.sendTimeout().toMillis(),
                            ProducerConfig.LINGER_MS_CONFIG, 0,
                            ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName(),
                            ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName()));
                }
                current = producer;
            }
        }
        return current;
    }

    void close(@Observes ShutdownEvent event) {
        KafkaProducer<String, String> current = producer;
        if (current != null) {
            current.close(java.time.Duration.ofSeconds(5));
        }
    }

    /** Skips relay passes when {@code lifeboat.outbox.relay-enabled=false}. */
    @ApplicationScoped
    public static class RelayDisabled implements Scheduled.SkipPredicate {
        private final OutboxConfig config;

        public RelayDisabled(OutboxConfig config) {
            this.config = config;
        }

        @Override
        public boolean test(io.quarkus.scheduler.ScheduledExecution execution) {
            return !config.relayEnabled();
        }
    }
}

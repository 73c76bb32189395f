package io.lifeboat.outbox;

import io.agroal.api.AgroalDataSource;
import io.lifeboat.events.CloudEvent;
import io.lifeboat.events.EventCodec;
import io.lifeboat.events.EventPayload;
import io.lifeboat.events.EventType;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.UUID;

/**
 * Writes events into the outbox table inside the caller's transaction, so an event exists if and only if
 * the state change it describes committed.
 */
@ApplicationScoped
public class Outbox {

    private final AgroalDataSource dataSource;
    private final String source;

    public Outbox(AgroalDataSource dataSource, OutboxConfig config,
                  @ConfigProperty(name = "quarkus.application.name") String applicationName) {
        this.dataSource = dataSource;
        this.source = config.source().orElse("/lifeboat/" + applicationName);
    }

    /** Records {@code payload} as a new event; must run inside the transaction of the state change. */
    @Transactional(Transactional.TxType.MANDATORY)
    public CloudEvent append(String actor, EventPayload payload) {
        CloudEvent event = EventCodec.create(source, actor, payload);
        EventType type = event.eventType().orElseThrow();
        try (Connection connection = dataSource.getConnection();
             PreparedStatement insert = connection.prepareStatement(
                     "INSERT INTO outbox_event (event_id, topic, message_key, type, payload) VALUES (?, ?, ?, ?, ?)")) {
            insert.setObject(1, UUID.fromString(event.id()));
            insert.setString(2, type.topic().topicName());
            insert.setString(3, event.subject());
            insert.setString(4, event.type());
            insert.setString(5, EventCodec.toJson(event));
            insert.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("cannot write event " + event.type() + " to the outbox", e);
        }
        return event;
    }

    public String source() {
        return source;
    }
}

package io.lifeboat.incident.eventlog;

import io.agroal.api.AgroalDataSource;
import io.lifeboat.events.CloudEvent;
import io.lifeboat.events.EventCodec;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** The append-only log of every consumed event. */
@ApplicationScoped
public class EventStore {

    private final AgroalDataSource dataSource;

    public EventStore(AgroalDataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Stores the event once; returns false when its id was already stored (a redelivery). */
    @Transactional(Transactional.TxType.MANDATORY)
    public boolean append(CloudEvent event, String topic, Integer partition, Long offset) {
        try (Connection c = dataSource.getConnection(); PreparedStatement insert = c.prepareStatement("""
                INSERT INTO event_log (event_id, type, source, subject, actor, event_time, topic, kafka_partition,
                                       kafka_offset, data, envelope)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?::jsonb)
                ON CONFLICT (event_id) DO NOTHING""")) {
            insert.setObject(1, UUID.fromString(event.id()));
            insert.setString(2, event.type());
            insert.setString(3, event.source());
            insert.setString(4, event.subject());
            insert.setString(5, event.actor());
            insert.setTimestamp(6, Timestamp.from(event.time()));
            insert.setString(7, topic);
            insert.setObject(8, partition);
            insert.setObject(9, offset);
            insert.setString(10, event.data() == null ? null : event.data().toString());
            insert.setString(11, EventCodec.toJson(event));
            return insert.executeUpdate() == 1;
        } catch (SQLException e) {
            throw new IllegalStateException("cannot store event " + event.id() + ": " + e.getMessage(), e);
        }
    }

    /** Newest first (event time, then arrival), after the position (afterTime, afterSeq) when given. */
    public List<StoredEvent> find(String type, String subject, Instant afterTime, long afterSeq, int limit) {
        StringBuilder sql = new StringBuilder("SELECT seq, envelope::text, received_at FROM event_log WHERE true");
        List<Object> args = new ArrayList<>();
        if (type != null) {
            sql.append(" AND type = ?");
            args.add(type);
        }
        if (subject != null) {
            sql.append(" AND subject = ?");
            args.add(subject);
        }
        if (afterTime != null) {
            sql.append(" AND (event_time, seq) < (?, ?)");
            args.add(Timestamp.from(afterTime));
            args.add(afterSeq);
        }
        sql.append(" ORDER BY event_time DESC, seq DESC LIMIT ?");
        args.add(limit);
        try (Connection c = dataSource.getConnection(); PreparedStatement select = c.prepareStatement(sql.toString())) {
            for (int i = 0; i < args.size(); i++) {
                select.setObject(i + 1, args.get(i));
            }
            List<StoredEvent> events = new ArrayList<>();
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    events.add(new StoredEvent(rs.getLong(1), EventCodec.parse(rs.getString(2)),
                            rs.getTimestamp(3).toInstant()));
                }
            }
            return events;
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the event log: " + e.getMessage(), e);
        }
    }

    public long count(String eventId) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement select = c.prepareStatement("SELECT count(*) FROM event_log WHERE event_id = ?")) {
            select.setObject(1, UUID.fromString(eventId));
            try (ResultSet rs = select.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** One stored event and its position in the log. */
    public record StoredEvent(long seq, CloudEvent event, Instant receivedAt) {
    }
}

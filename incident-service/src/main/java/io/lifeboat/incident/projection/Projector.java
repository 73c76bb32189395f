package io.lifeboat.incident.projection;

import com.fasterxml.jackson.databind.JsonNode;
import io.lifeboat.events.CloudEvent;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;

/**
 * Applies one event to the projection tables. Used live (each newly stored event, in its transaction) and by
 * the rebuild (every event of the log in arrival order), so both produce the same rows. Statements are
 * upserts keyed by aggregate id; an event stored twice is never applied twice (the log is unique on id). Each
 * domain's rows have a class of their own: {@link BackupProjection}, {@link RestoreProjection},
 * {@link DrillProjection}, {@link IncidentProjection}.
 */
public final class Projector implements AutoCloseable {

    private final ProjectionWrites writes;

    /** A projector whose writes run at once (live projection, inside the transaction that stored the event). */
    public Projector(Connection connection) {
        this.writes = new ProjectionWrites(connection, false, null);
    }

    private Projector(ProjectionWrites writes) {
        this.writes = writes;
    }

    /**
     * A projector that collects writes until {@link #flush()} runs them in JDBC batches on {@code flusher}'s
     * thread (the rebuild), while the caller goes on applying events; {@link #awaitWrites()} waits for the last.
     */
    public static Projector batching(Connection connection, ExecutorService flusher) {
        return new Projector(new ProjectionWrites(connection, true, flusher));
    }

    public void apply(CloudEvent event) throws SQLException {
        JsonNode d = event.data();
        if (d == null) {
            return;
        }
        String type = event.type();
        if (type.startsWith("lifeboat.backup.")) {
            BackupProjection.apply(event, d, writes);
        } else if (type.startsWith("lifeboat.restore.")) {
            RestoreProjection.apply(event, d, writes);
        } else if (type.startsWith("lifeboat.drill.")) {
            DrillProjection.apply(event, d, writes);
        } else if (type.startsWith("lifeboat.incident.")) {
            IncidentProjection.apply(event, d, writes);
        }
    }

    /** Starts the writes a batching projector has collected (after the previous flush's are done). */
    public void flush() throws SQLException {
        writes.flush();
    }

    /** Waits until every flushed write has run, and rethrows what failed one. */
    public void awaitWrites() throws SQLException {
        writes.awaitRunning();
    }

    /** Every projection table, as a list for TRUNCATE and VACUUM. */
    public static final String TABLES = "proj_source, proj_backup, proj_verification, proj_restore, proj_drill, "
            + "proj_incident, proj_incident_status, proj_alert, proj_wal";

    /** Empties every projection table (the rebuild then replays the log). */
    public static void truncate(Connection connection) throws SQLException {
        try (var s = connection.createStatement()) {
            s.execute("TRUNCATE " + TABLES);
        }
    }

    /**
     * Drops the projection tables' indexes that no write needs (all but the unique ones the upserts' ON CONFLICT
     * relies on) and returns the statements that create them again, as the migrations defined them.
     */
    public static List<String> dropSecondaryIndexes(Connection connection) throws SQLException {
        List<String> names = new ArrayList<>();
        List<String> definitions = new ArrayList<>();
        try (var s = connection.prepareStatement("""
                SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i
                 WHERE i.indrelid = ANY (SELECT unnest(string_to_array(?, ', '))::regclass) AND NOT i.indisunique
                 ORDER BY 1""")) {
            s.setString(1, TABLES);
            try (var rs = s.executeQuery()) {
                while (rs.next()) {
                    names.add(rs.getString(1));
                    definitions.add(rs.getString(2));
                }
            }
        }
        try (var s = connection.createStatement()) {
            for (String name : names) {
                s.execute("DROP INDEX " + name);
            }
        }
        return definitions;
    }

    @Override
    public void close() {
        writes.close();
    }
}

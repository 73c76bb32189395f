package io.lifeboat.incident.projection;

import com.fasterxml.jackson.databind.JsonNode;
import io.lifeboat.events.CloudEvent;

import java.sql.Connection;
import java.sql.SQLException;

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
        this.writes = new ProjectionWrites(connection, false);
    }

    private Projector(ProjectionWrites writes) {
        this.writes = writes;
    }

    /** A projector that collects writes until {@link #flush()} runs them in JDBC batches (the rebuild). */
    public static Projector batching(Connection connection) {
        return new Projector(new ProjectionWrites(connection, true));
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

    /** Runs the writes a batching projector has collected. */
    public void flush() throws SQLException {
        writes.flush();
    }

    /** Empties every projection table (the rebuild then replays the log). */
    public static void truncate(Connection connection) throws SQLException {
        try (var s = connection.createStatement()) {
            s.execute("TRUNCATE proj_source, proj_backup, proj_verification, proj_restore, proj_drill, proj_incident, "
                    + "proj_incident_status, proj_alert, proj_wal");
        }
    }

    @Override
    public void close() {
        writes.close();
    }
}

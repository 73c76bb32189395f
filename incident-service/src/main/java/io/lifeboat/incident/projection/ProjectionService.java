package io.lifeboat.incident.projection;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.agroal.api.AgroalDataSource;
import io.lifeboat.events.CloudEvent;
import io.lifeboat.events.EventCodec;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import org.jboss.logging.Logger;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** Live projection of newly stored events, and the full rebuild from the event log. */
@ApplicationScoped
public class ProjectionService {

    private static final Logger LOG = Logger.getLogger(ProjectionService.class);

    /** Events replayed per flush of JDBC batches during a rebuild (also the log cursor's fetch size). */
    private static final int FLUSH_EVERY = 5000;

    private final AgroalDataSource dataSource;

    public ProjectionService(AgroalDataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Applies one event inside the caller's transaction (the one that stored it in the log). */
    @Transactional(Transactional.TxType.MANDATORY)
    public void project(CloudEvent event) {
        try (Connection c = dataSource.getConnection(); Projector projector = new Projector(c)) {
            projector.apply(event);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot project " + event.type() + " " + event.id() + ": " + e.getMessage(), e);
        }
    }

    public record RebuildResult(long events, double seconds, double eventsPerSecond) {
    }

    /**
     * Drops the projections and replays the whole log in arrival order, in one transaction: readers keep the old
     * projections until it commits, and a lock keeps two rebuilds, or a rebuild and live projection, apart.
     * Three things make it fast on two cores: the writes go in JDBC batches that keep each row's writes in order
     * ({@link Projector#flush()}); they run on a thread of their own while the next events are read and parsed; and
     * the projections' secondary indexes are dropped for the replay and built once at the end, instead of being
     * updated by each of the (up to four) writes to a row.
     */
    public RebuildResult rebuild() {
        long start = System.nanoTime();
        long count = 0;
        ExecutorService flusher = Executors.newSingleThreadExecutor(r -> new Thread(r, "projection-rebuild-writes"));
        try (Connection c = dataSource.getConnection(); Connection log = dataSource.getConnection()) {
            boolean autoCommit = c.getAutoCommit();
            c.setAutoCommit(false);
            try (Statement lock = c.createStatement()) {
                lock.execute("LOCK TABLE event_log IN SHARE MODE");
                List<String> indexes = Projector.dropSecondaryIndexes(c);
                Projector.truncate(c);
                try (Projector projector = Projector.batching(c, flusher)) {
                    count = replay(log, projector);
                    projector.awaitWrites();
                }
                try (Statement create = c.createStatement()) {
                    for (String index : indexes) {
                        create.execute(index);
                    }
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(autoCommit);
            }
            try (Statement vacuum = c.createStatement()) {
                // now rather than by autovacuum in the middle of the readers' next minutes: the replay left each
                // row's earlier versions dead, the readers' plans need the new tables' statistics, and index-only
                // scans need the visibility map
                vacuum.execute("VACUUM (ANALYZE) " + Projector.TABLES);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("projection rebuild failed: " + e.getMessage(), e);
        } finally {
            flusher.shutdownNow();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        LOG.infof("rebuilt projections from %d events in %.1f s", count, seconds);
        return new RebuildResult(count, seconds, seconds == 0 ? count : count / seconds);
    }

    /**
     * Applies every event of the log, in arrival order, read on {@code log}: a connection of its own, whose
     * snapshot is taken after the caller locked the log, so it holds every stored event and no new one can appear.
     */
    private static long replay(Connection log, Projector projector) throws SQLException {
        long count = 0;
        boolean autoCommit = log.getAutoCommit();
        log.setAutoCommit(false); // a cursor: rows arrive in fetches, not all at once
        try (PreparedStatement read = log.prepareStatement("""
                SELECT event_id, source, type, subject, event_time, actor, data::text FROM event_log ORDER BY seq""")) {
            read.setFetchSize(FLUSH_EVERY);
            try (ResultSet rs = read.executeQuery()) {
                while (rs.next()) {
                    projector.apply(stored(rs));
                    if (++count % FLUSH_EVERY == 0) {
                        projector.flush();
                    }
                }
            }
            projector.flush();
            log.commit();
        } finally {
            log.setAutoCommit(autoCommit);
        }
        return count;
    }

    /** The event as the log stored it: its columns are the envelope's fields (see EventStore). */
    private static CloudEvent stored(ResultSet rs) throws SQLException {
        String data = rs.getString(7);
        try {
            return new CloudEvent(CloudEvent.SPEC_VERSION, rs.getString(1), rs.getString(2), rs.getString(3),
                    rs.getString(4), rs.getTimestamp(5).toInstant(), "application/json", rs.getString(6),
                    data == null ? null : EventCodec.mapper().readTree(data));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("event " + rs.getString(1) + " has unreadable data: " + e.getOriginalMessage(), e);
        }
    }
}

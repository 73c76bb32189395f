package io.lifeboat.incident.projection;

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

/** Live projection of newly stored events, and the full rebuild from the event log. */
@ApplicationScoped
public class ProjectionService {

    private static final Logger LOG = Logger.getLogger(ProjectionService.class);

    /** Events replayed per round of JDBC batches during a rebuild. */
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
     * Drops the projections and replays the whole log in arrival order (in JDBC batches that keep each row's
     * writes in order: {@link Projector#flush()}), in one transaction (readers see the old
     * projections until it commits). A lock keeps two rebuilds, or a rebuild and live projection, apart.
     */
    public RebuildResult rebuild() {
        long start = System.nanoTime();
        long count = 0;
        try (Connection c = dataSource.getConnection()) {
            boolean autoCommit = c.getAutoCommit();
            c.setAutoCommit(false);
            try (Statement lock = c.createStatement()) {
                lock.execute("LOCK TABLE event_log IN SHARE MODE");
                Projector.truncate(c);
                try (Projector projector = Projector.batching(c);
                     PreparedStatement read = c.prepareStatement("SELECT envelope::text FROM event_log ORDER BY seq")) {
                    read.setFetchSize(5000);
                    try (ResultSet rs = read.executeQuery()) {
                        while (rs.next()) {
                            projector.apply(EventCodec.parse(rs.getString(1)));
                            if (++count % FLUSH_EVERY == 0) {
                                projector.flush();
                            }
                        }
                    }
                    projector.flush();
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(autoCommit);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("projection rebuild failed: " + e.getMessage(), e);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        LOG.infof("rebuilt projections from %d events in %.1f s", count, seconds);
        return new RebuildResult(count, seconds, seconds == 0 ? count : count / seconds);
    }
}

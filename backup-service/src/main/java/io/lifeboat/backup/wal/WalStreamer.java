package io.lifeboat.backup.wal;

import io.lifeboat.bucket.wal.Lsn;
import io.lifeboat.bucket.wal.TimelineHistory;
import io.lifeboat.postgres.PostgresEndpoint;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.temporal.ChronoUnit;
import java.util.Optional;

/**
 * Streams one continuous source's WAL into the bucket, on its own thread, for as long as this instance holds the
 * source's lease. WAL arrives over a replication connection holding the source's slot; completed segments are
 * spooled and stored, and at every flush interval the partial segment is stored too, so the bucket trails the
 * source by about that interval. What "stored" covers is measured, not assumed: at each flush the source's flush
 * position and clock are read, and once the WAL up to that position is in the bucket every transaction committed
 * before that instant is ({@code coveredUntil}). Only then does the slot move on. When the bucket is unreachable,
 * segments wait in a bounded spool; when that is full, reading pauses and the slot keeps the WAL on the source.
 */
final class WalStreamer implements Runnable {

    private static final Logger LOG = Logger.getLogger(WalStreamer.class);
    private static final int SEGMENT = WalSegments.SEGMENT;

    private final StreamedSource source;
    private final WalStreams.Services services;
    private volatile boolean stopping;
    private volatile ReplicationStream current;

    private final WalSegments segments;
    private int timeline;
    private String systemId;

    WalStreamer(StreamedSource source, WalStreams.Services services) {
        this.source = source;
        this.services = services;
        this.segments = new WalSegments(source, services);
    }

    StreamedSource source() {
        return source;
    }

    void stop() {
        stopping = true;
        ReplicationStream stream = current;
        if (stream != null) {
            stream.close();
        }
    }

    @Override
    public void run() {
        long backoff = 1000;
        while (!stopping) {
            try {
                stream();
            } catch (ReplicationStream.StreamEnded e) {
                LOG.infof("WAL stream of %s: %s; reconnecting", source.name(), e.getMessage());
                backoff = 1000;
            } catch (Exception e) {
                if (stopping) {
                    break;
                }
                String why = e.getMessage() == null ? e.toString() : e.getMessage();
                LOG.warnf("WAL stream of %s failed: %s (retrying in %d s)", source.name(), why, backoff / 1000);
                services.state().failing(source.name(), services.instance(), timeline, "cannot stream WAL from " + source.host()
                        + ":" + source.port() + ": " + why);
                sleep(backoff);
                backoff = Math.min(backoff * 2, 30_000);
            } finally {
                current = null;
            }
        }
        services.state().stopped(source.name(), services.instance());
    }

    private void stream() throws Exception {
        String password = services.secrets().resolve(source.passwordRef());
        PostgresEndpoint endpoint = new PostgresEndpoint(source.host(), source.port(), source.user());
        try (Connection sql = endpoint.connectToServer(source.database(), password);
             ReplicationStream replication = ReplicationStream.open(endpoint, password)) {
            current = replication;
            if (stopping) {
                return;
            }
            requireDefaultSegmentSize(sql);
            ReplicationStream.Identity id = replication.identify();
            Optional<WalStream> known = services.state().get(source.name());
            systemId = id.systemId();
            if (known.isPresent() && known.get().systemId != null && !known.get().systemId.equals(id.systemId())) {
                // the source is now another cluster (rebuilt after a disaster, or re-pointed): its WAL goes apart
                // from the old cluster's, which stays restorable; the new one's is restorable from its first base backup
                LOG.warnf("%s is now cluster %s (was %s): its WAL is kept apart; it is restorable once a base backup "
                        + "of the new cluster is taken", source.name(), id.systemId(), known.get().systemId);
                services.newCluster(source.name(), id.systemId());
                known = Optional.empty();
            }
            String slot = WalSlots.slotName(source.name());
            long restart = WalSlots.ensure(sql, slot);
            TimelineHistory history = storeHistories(replication, id.timeline());
            long storedBefore = known.map(w -> w.storedLsn).map(Lsn::parse).orElse(-1L);
            // go on from what the bucket has; the server usually still has it (the slot keeps it, or, on a server
            // that took over after a failover, its own copy); if not, the WAL in between is lost: a gap
            long from = storedBefore >= 0 ? storedBefore : restart;
            Integer storedTimeline = known.map(w -> w.timeline).orElse(null);
            long storedTimelineEnd = storedTimeline == null ? -1 : history.endOf(storedTimeline);
            if (storedTimelineEnd >= 0 && storedTimelineEnd < from) {
                // the bucket holds the old timeline past its switch point: an old primary went on after the promotion,
                // and that WAL is not this server's history. Go on from the switch point, on the new timeline
                LOG.warnf("%s: the stored WAL of timeline %d runs past its switch point %s to %s (the old primary went on "
                        + "after the failover); streaming timeline %d from the switch point", source.name(), storedTimeline,
                        Lsn.format(storedTimelineEnd), Lsn.format(from), history.timeline());
                from = storedTimelineEnd;
            }
            long begun = from;
            try {
                begun = begin(replication, slot, history, from);
                services.state().streaming(source.name(), services.instance(), id.systemId(), timeline,
                        Lsn.format(segments.segmentStart()));
                LOG.infof("streaming WAL of %s from %s on timeline %d (slot %s)", source.name(),
                        Lsn.format(segments.segmentStart()), timeline, slot);
                receive(replication, sql, history.endOf(timeline));
            } catch (SQLException e) {
                // the server answers "requested WAL segment ... has already been removed" once streaming began
                if (e.getMessage() == null || !e.getMessage().contains("has already been removed") || storedBefore < 0
                        || restart <= begun || segments.received() > begun) {
                    throw e;
                }
                segments.store(); // what was spooled before the missing WAL
                int lostTimeline = timelineOf(history, begun);
                String missing = Lsn.segmentName(lostTimeline, Lsn.segmentOf(begun, SEGMENT), SEGMENT);
                services.gap(source.name(), lostTimeline, missing, "the source no longer has the WAL from "
                        + Lsn.format(Math.max(begun, storedBefore)) + " to " + Lsn.format(restart) + " (" + e.getMessage() + ")");
                // the next connection goes on from what the slot keeps
                services.state().skipTo(source.name(), timelineOf(history, restart), Lsn.format(restart));
                throw e;
            }
        }
    }

    /**
     * Starts streaming after what the bucket holds ({@code from}) and what an earlier stream spooled and did not store,
     * at the start of a segment, on the timeline of the path that holds it. Returns that position.
     */
    private long begin(ReplicationStream replication, String slot, TimelineHistory history, long from) throws Exception {
        long segmentStart = segments.resume(systemId, from, segment -> timelineOf(history, Lsn.segmentStart(segment, SEGMENT)));
        timeline = segments.timeline();
        replication.start(slot, segmentStart, timeline);
        return segmentStart;
    }

    /**
     * Receives until stopped. On an older timeline of the server's history the stream ends at that timeline's
     * switch point ({@code timelineEnd}): what arrived is stored and the next connection follows the new timeline.
     */
    private void receive(ReplicationStream replication, Connection sql, long timelineEnd) throws Exception {
        long interval = services.config().wal().flushInterval().toNanos();
        long nextFlush = System.nanoTime() + interval;
        try {
            while (!stopping) {
                if (segments.received() >= timelineEnd) {
                    throw new ReplicationStream.StreamEnded("timeline " + timeline + " ends at " + Lsn.format(timelineEnd));
                }
                ReplicationStream.XLogData data = segments.spoolFull() ? null : replication.poll(segments.received(), segments.stored());
                if (data != null) {
                    segments.write(data);
                }
                if (System.nanoTime() >= nextFlush) {
                    flush(replication, sql);
                    nextFlush = System.nanoTime() + interval;
                } else if (data == null) {
                    if (segments.spoolFull()) {
                        replication.sendStatus(segments.received(), segments.stored());
                    }
                    sleep(5);
                }
            }
        } catch (ReplicationStream.StreamEnded ended) {
            // the end of a timeline: store what arrived before following the next one
            segments.store();
            throw ended;
        }
    }

    /** Measures what the source has committed, waits to receive it, then stores what is new. */
    private void flush(ReplicationStream replication, Connection sql) throws Exception {
        WalSegments.Measure measure = measure(sql);
        long deadline = System.nanoTime() + Math.max(services.config().wal().flushInterval().toNanos(), 2_000_000_000L);
        while (segments.received() < measure.position() && System.nanoTime() < deadline && !stopping && !segments.spoolFull()) {
            ReplicationStream.XLogData data = replication.poll(segments.received(), segments.stored());
            if (data != null) {
                segments.write(data);
            } else {
                sleep(2);
            }
        }
        if (segments.received() >= measure.position()) {
            segments.measured(measure);
        }
        segments.store();
        replication.sendStatus(segments.received(), segments.stored());
    }

    /** The source's clock and flush position now: every transaction committed by then lies before that position. */
    private static WalSegments.Measure measure(Connection sql) throws SQLException {
        try (Statement s = sql.createStatement();
             ResultSet rs = s.executeQuery("SELECT clock_timestamp(), pg_current_wal_flush_lsn()::text")) {
            rs.next();
            return new WalSegments.Measure(rs.getTimestamp(1).toInstant().truncatedTo(ChronoUnit.MICROS), Lsn.parse(rs.getString(2)));
        }
    }

    private TimelineHistory storeHistories(ReplicationStream replication, int serverTimeline) throws Exception {
        if (serverTimeline <= 1) {
            return TimelineHistory.only(serverTimeline);
        }
        String newest = null;
        for (int t = 2; t <= serverTimeline; t++) {
            String[] file = replication.timelineHistory(t);
            byte[] content = file[1].getBytes(StandardCharsets.UTF_8);
            services.upload().store(new WalUpload.Piece(source.name(), systemId, t, file[0], false, content, content.length, null, null,
                    source.encrypted()));
            newest = file[1];
        }
        return TimelineHistory.parse(serverTimeline, newest);
    }

    /**
     * The timeline to stream the segment holding {@code position} from: the newest one of the path that began in
     * or before that segment, as recovery reads it. The segment of a switch point exists whole on the new timeline
     * (a promoted server renames the old timeline's copy to {@code .partial}).
     */
    private static int timelineOf(TimelineHistory history, long position) {
        long segment = Lsn.segmentOf(position, SEGMENT);
        for (int tli : history.pathNewestFirst()) {
            if (Lsn.segmentOf(history.beginOf(tli), SEGMENT) <= segment) {
                return tli;
            }
        }
        return history.timeline();
    }

    private static void requireDefaultSegmentSize(Connection sql) throws SQLException {
        try (Statement s = sql.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT setting::bigint * (CASE unit WHEN 'B' THEN 1 WHEN 'kB' THEN 1024 WHEN 'MB' THEN 1048576 ELSE 1 END) "
                        + "FROM pg_settings WHERE name = 'wal_segment_size'")) {
            rs.next();
            if (rs.getLong(1) != SEGMENT) {
                throw new IllegalStateException("the source's wal_segment_size is " + rs.getLong(1) + " bytes; continuous "
                        + "protection supports the default 16 MB segments");
            }
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

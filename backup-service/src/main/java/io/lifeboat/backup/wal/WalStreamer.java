package io.lifeboat.backup.wal;

import io.lifeboat.bucket.wal.Lsn;
import io.lifeboat.bucket.wal.TimelineHistory;
import io.lifeboat.bucket.wal.WalCoverage;
import io.lifeboat.postgres.PostgresEndpoint;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;

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
    private static final int SEGMENT = (int) Lsn.DEFAULT_SEGMENT_SIZE;

    private final StreamedSource source;
    private final WalStreams.Services services;
    private volatile boolean stopping;
    private volatile ReplicationStream current;

    private int timeline;
    private String systemId;
    private long segmentStart;
    private final byte[] segment = new byte[SEGMENT];
    private int filled;
    /** Every WAL byte before this position is in the bucket. */
    private long stored;
    private final ArrayDeque<Spooled> spooled = new ArrayDeque<>();
    /** Source (clock, flush position) pairs whose WAL is received but not yet stored. */
    private final ArrayDeque<Measure> measures = new ArrayDeque<>();
    private Instant coveredUntil;
    private Instant coverageWritten;
    private String lastFailure;

    private record Spooled(Path file, String name, long end) {
    }

    private record Measure(Instant at, long position) {
    }

    WalStreamer(StreamedSource source, WalStreams.Services services) {
        this.source = source;
        this.services = services;
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
            try {
                begin(replication, slot, history, from);
            } catch (SQLException e) {
                if (storedBefore < 0 || restart <= storedBefore) {
                    throw e;
                }
                int lostTimeline = known.get().timeline == null ? timeline : known.get().timeline;
                String missing = Lsn.segmentName(lostTimeline, Lsn.segmentOf(storedBefore, SEGMENT), SEGMENT);
                services.gap(source.name(), lostTimeline, missing, "the source no longer has the WAL from "
                        + Lsn.format(storedBefore) + " to " + Lsn.format(restart) + " (" + e.getMessage() + ")");
                begin(replication, slot, history, restart);
            }
            services.state().streaming(source.name(), services.instance(), id.systemId(), timeline, Lsn.format(segmentStart));
            LOG.infof("streaming WAL of %s from %s on timeline %d (slot %s)", source.name(), Lsn.format(segmentStart), timeline, slot);
            receive(replication, sql);
        }
    }

    /** Starts streaming at the segment holding {@code from}, on the timeline of the path that holds it. */
    private void begin(ReplicationStream replication, String slot, TimelineHistory history, long from) throws Exception {
        timeline = timelineOf(history, from);
        segmentStart = Lsn.segmentStart(Lsn.segmentOf(from, SEGMENT), SEGMENT);
        filled = 0;
        stored = Math.max(from, segmentStart);
        clearSpool();
        measures.clear();
        replication.start(slot, segmentStart, timeline);
    }

    private void receive(ReplicationStream replication, Connection sql) throws Exception {
        long interval = services.config().wal().flushInterval().toNanos();
        long nextFlush = System.nanoTime() + interval;
        try {
            while (!stopping) {
                ReplicationStream.XLogData data = spoolFull() ? null : replication.poll(received(), stored);
                if (data != null) {
                    write(data);
                }
                if (System.nanoTime() >= nextFlush) {
                    flush(replication, sql);
                    nextFlush = System.nanoTime() + interval;
                } else if (data == null) {
                    if (spoolFull()) {
                        replication.sendStatus(received(), stored);
                    }
                    sleep(5);
                }
            }
        } catch (ReplicationStream.StreamEnded ended) {
            // the end of a timeline: store what arrived before following the next one
            store();
            throw ended;
        }
    }

    private long received() {
        return segmentStart + filled;
    }

    private void write(ReplicationStream.XLogData data) throws IOException {
        long position = data.start();
        int offset = data.offset();
        int length = data.length();
        if (position > received()) {
            throw new IllegalStateException("the WAL stream skipped from " + Lsn.format(received()) + " to " + Lsn.format(position));
        }
        if (position < received()) { // sent again (after a reconnect): keep what is new
            int seen = (int) Math.min(length, received() - position);
            offset += seen;
            length -= seen;
        }
        while (length > 0) {
            int n = Math.min(SEGMENT - filled, length);
            System.arraycopy(data.message(), offset, segment, filled, n);
            filled += n;
            offset += n;
            length -= n;
            if (filled == SEGMENT) {
                spoolSegment();
            }
        }
    }

    private void spoolSegment() throws IOException {
        String name = Lsn.segmentName(timeline, Lsn.segmentOf(segmentStart, SEGMENT), SEGMENT);
        Path file = spoolDir().resolve(name);
        Files.write(file, segment);
        spooled.add(new Spooled(file, name, segmentStart + SEGMENT));
        segmentStart += SEGMENT;
        filled = 0;
    }

    /** Measures what the source has committed, waits to receive it, then stores what is new. */
    private void flush(ReplicationStream replication, Connection sql) throws Exception {
        Measure measure = measure(sql);
        long deadline = System.nanoTime() + Math.max(services.config().wal().flushInterval().toNanos(), 2_000_000_000L);
        while (received() < measure.position() && System.nanoTime() < deadline && !stopping && !spoolFull()) {
            ReplicationStream.XLogData data = replication.poll(received(), stored);
            if (data != null) {
                write(data);
            } else {
                sleep(2);
            }
        }
        if (received() >= measure.position() && measures.size() < 10_000) {
            measures.add(measure);
        }
        store();
        replication.sendStatus(received(), stored);
    }

    /** Stores the spooled segments, then the partial one; on a bucket failure keeps them for the next flush. */
    private void store() {
        try {
            while (!spooled.isEmpty()) {
                Spooled s = spooled.peek();
                byte[] data = Files.readAllBytes(s.file());
                Instant covered = coveredUpTo(s.end());
                services.upload().store(new WalUpload.Piece(source.name(), systemId, timeline, s.name(), false, data, data.length,
                        Lsn.format(s.end()), covered, source.encrypted()));
                stored = s.end();
                advanceCoverage(covered);
                spooled.poll();
                Files.deleteIfExists(s.file());
                services.state().stored(source.name(), timeline, s.name(), Lsn.format(stored), coveredUntil, false);
            }
            String current = Lsn.segmentName(timeline, Lsn.segmentOf(segmentStart, SEGMENT), SEGMENT);
            Instant covered;
            if (received() > stored) {
                covered = coveredUpTo(received());
                services.upload().store(new WalUpload.Piece(source.name(), systemId, timeline, current, true, segment, filled,
                        Lsn.format(received()), covered, source.encrypted()));
                stored = received();
            } else {
                covered = coveredUpTo(stored); // nothing new: what was measured is already stored
            }
            advanceCoverage(covered);
            if (coveredUntil != null && !coveredUntil.equals(coverageWritten)) {
                String last = Lsn.segmentName(timeline, Lsn.segmentOf(Math.max(stored - 1, 0), SEGMENT), SEGMENT);
                services.archive().putCoverage(new WalCoverage(source.name(), systemId, timeline, last, Lsn.format(stored),
                        coveredUntil, Instant.now().truncatedTo(ChronoUnit.MICROS), null));
                coverageWritten = coveredUntil;
                services.state().stored(source.name(), timeline, last, Lsn.format(stored), coveredUntil, true);
            }
            lastFailure = null;
        } catch (Exception e) {
            String why = "cannot store WAL in the bucket (" + spooled.size() + " segment(s) waiting in the spool): "
                    + (e.getMessage() == null ? e.toString() : e.getMessage());
            if (!why.equals(lastFailure)) {
                LOG.warnf("WAL of %s: %s", source.name(), why);
                lastFailure = why;
            }
            services.state().failing(source.name(), services.instance(), timeline, why);
        }
    }

    /** The newest measured instant whose WAL lies before {@code position}; those measures are used up. */
    private Instant coveredUpTo(long position) {
        Instant newest = null;
        while (!measures.isEmpty() && measures.peek().position() <= position) {
            Measure m = measures.poll();
            if (newest == null || m.at().isAfter(newest)) newest = m.at();
        }
        return newest;
    }

    private void advanceCoverage(Instant covered) {
        if (covered != null && (coveredUntil == null || covered.isAfter(coveredUntil))) {
            coveredUntil = covered;
        }
    }

    /** The source's clock and flush position now: every transaction committed by then lies before that position. */
    private static Measure measure(Connection sql) throws SQLException {
        try (Statement s = sql.createStatement();
             ResultSet rs = s.executeQuery("SELECT clock_timestamp(), pg_current_wal_flush_lsn()::text")) {
            rs.next();
            return new Measure(rs.getTimestamp(1).toInstant().truncatedTo(ChronoUnit.MICROS), Lsn.parse(rs.getString(2)));
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

    /** The timeline of the path that holds {@code position}: the newest one that began at or before it. */
    private static int timelineOf(TimelineHistory history, long position) {
        for (int tli : history.pathNewestFirst()) {
            if (history.beginOf(tli) <= position) {
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

    private boolean spoolFull() {
        return (long) spooled.size() * SEGMENT >= (long) services.config().wal().spoolMaxMib() * 1024 * 1024;
    }

    private Path spoolDir() throws IOException {
        Path dir = Path.of(services.config().wal().spoolDir().orElse(System.getProperty("java.io.tmpdir")))
                .resolve("lifeboat-wal-spool").resolve(source.name());
        Files.createDirectories(dir);
        return dir;
    }

    /** A new connection starts from what the bucket has: segments spooled by an earlier one are received again. */
    private void clearSpool() throws IOException {
        spooled.clear();
        try (Stream<Path> files = Files.list(spoolDir())) {
            for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(f);
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

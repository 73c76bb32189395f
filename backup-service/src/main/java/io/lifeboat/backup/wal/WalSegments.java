package io.lifeboat.backup.wal;

import io.lifeboat.bucket.wal.Lsn;
import io.lifeboat.bucket.wal.WalCoverage;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongToIntFunction;
import java.util.stream.Stream;

/**
 * The WAL of one stream between the source and the bucket: the segment being received (in memory), completed
 * segments waiting in the spool folder, and what the bucket holds ({@link #stored()}). Storing goes in order:
 * spooled segments, then the partial one; a bucket failure keeps everything for the next attempt. Coverage
 * measures (the source's clock with its flush position) become {@code coveredUntil} once the WAL up to their
 * position is stored.
 */
final class WalSegments {

    private static final Logger LOG = Logger.getLogger(WalSegments.class);
    static final int SEGMENT = (int) Lsn.DEFAULT_SEGMENT_SIZE;

    private final StreamedSource source;
    private final WalStreams.Services services;
    private String systemId;
    private int timeline;
    private long segmentStart;
    private final byte[] segment = new byte[SEGMENT];
    private int filled;
    private long stored;
    private final ArrayDeque<Spooled> spooled = new ArrayDeque<>();
    private final ArrayDeque<Measure> measures = new ArrayDeque<>();
    private Instant coveredUntil;
    private Instant coverageWritten;
    private String lastFailure;

    private record Spooled(Path file, int timeline, String name, long end) {
    }

    /** The source's clock and its flush position then: every transaction committed by then lies before it. */
    record Measure(Instant at, long position) {
    }

    WalSegments(StreamedSource source, WalStreams.Services services) {
        this.source = source;
        this.services = services;
    }

    /**
     * Starts over where the bucket's WAL of cluster {@code systemId} ends ({@code stored}). Complete segments an
     * earlier stream of the cluster spooled but could not store (it stopped while the bucket was away: the source
     * was re-pointed after a failover, or this process stopped) are taken over when they continue the bucket's WAL
     * on the server's history ({@code timelineOf} a segment number): they are stored first, and streaming goes on
     * after them, as pg_receivewal goes on from its newest local segment. The server may no longer have that WAL (a
     * promoted standby recycles the old timeline's segments at its first checkpoint). Returns where streaming goes on.
     */
    long resume(String systemId, long stored, LongToIntFunction timelineOf) throws IOException {
        this.systemId = systemId;
        this.stored = stored;
        this.filled = 0;
        this.measures.clear();
        this.spooled.clear();
        long next = Lsn.segmentOf(stored, SEGMENT);
        Map<Long, List<Path>> bySegment = new TreeMap<>();
        try (Stream<Path> files = Files.list(spoolDir())) {
            for (Path f : files.toList()) {
                String name = f.getFileName().toString();
                if (Lsn.isSegmentName(name) && Files.size(f) == SEGMENT) {
                    bySegment.computeIfAbsent(Lsn.segmentNumber(name, SEGMENT), k -> new ArrayList<>()).add(f);
                } else {
                    Files.deleteIfExists(f); // cut short while written: its WAL is received again
                }
            }
        }
        for (Map.Entry<Long, List<Path>> e : bySegment.entrySet()) {
            for (Path f : e.getValue()) {
                String name = f.getFileName().toString();
                int onPath = timelineOf.applyAsInt(e.getKey());
                if (e.getKey() == next && Lsn.timelineOf(name) == onPath) {
                    spooled.add(new Spooled(f, onPath, name, Lsn.segmentStart(next + 1, SEGMENT)));
                    next++;
                } else {
                    Files.deleteIfExists(f); // stored already, or not this server's history
                }
            }
        }
        if (!spooled.isEmpty()) {
            LOG.infof("WAL of %s: %d segment(s) an earlier stream spooled and did not store are stored first (%s to %s)",
                    source.name(), spooled.size(), spooled.peekFirst().name(), spooled.peekLast().name());
        }
        this.segmentStart = Lsn.segmentStart(next, SEGMENT);
        this.timeline = timelineOf.applyAsInt(next);
        return segmentStart;
    }

    int timeline() {
        return timeline;
    }

    long segmentStart() {
        return segmentStart;
    }

    /** Every WAL byte before this position has arrived. */
    long received() {
        return segmentStart + filled;
    }

    /** Every WAL byte before this position is in the bucket. */
    long stored() {
        return stored;
    }

    boolean spoolFull() {
        return (long) spooled.size() * SEGMENT >= (long) services.config().wal().spoolMaxMib() * 1024 * 1024;
    }

    void write(ReplicationStream.XLogData data) throws IOException {
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

    /** A measure whose WAL has arrived; it counts once that WAL is stored. */
    void measured(Measure measure) {
        if (measures.size() < 10_000) {
            measures.add(measure);
        }
    }

    private void spoolSegment() throws IOException {
        String name = Lsn.segmentName(timeline, Lsn.segmentOf(segmentStart, SEGMENT), SEGMENT);
        Path file = spoolDir().resolve(name);
        Files.write(file, segment);
        spooled.add(new Spooled(file, timeline, name, segmentStart + SEGMENT));
        segmentStart += SEGMENT;
        filled = 0;
    }

    /** Stores the spooled segments, then the partial one; on a bucket failure keeps them for the next flush. */
    void store() {
        try {
            while (!spooled.isEmpty()) {
                Spooled s = spooled.peek();
                byte[] data;
                try {
                    data = Files.readAllBytes(s.file());
                } catch (NoSuchFileException gone) {
                    // deleted from under the spool: what it held is not in the bucket, and the audit tells the gap
                    LOG.warnf("WAL of %s: spooled segment %s is gone before it was stored", source.name(), s.name());
                    spooled.poll();
                    continue;
                }
                Instant covered = coveredUpTo(s.end());
                services.upload().store(new WalUpload.Piece(source.name(), systemId, s.timeline(), s.name(), false, data, data.length,
                        Lsn.format(s.end()), covered, source.encrypted()));
                stored = s.end();
                advanceCoverage(covered);
                spooled.poll();
                Files.deleteIfExists(s.file());
                services.state().stored(source.name(), s.timeline(), s.name(), Lsn.format(stored), coveredUntil, false);
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

    private Path spoolDir() throws IOException {
        return services.spool().folder(source.name(), systemId);
    }
}

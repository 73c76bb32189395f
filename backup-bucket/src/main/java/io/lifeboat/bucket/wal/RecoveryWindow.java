package io.lifeboat.bucket.wal;

import io.lifeboat.events.storage.BackupManifest;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The instants a continuous source can really be restored to, from the bucket alone: for each base backup, from its
 * end to the coverage of the gap-free chain of WAL segments that starts at its beginning (following timeline
 * switches as recovery would, within the cluster the base backup is of), and the gaps that end a chain early. A gap is a missing segment with WAL stored after
 * it: no instant past it is reachable from an earlier base backup.
 */
public final class RecoveryWindow {

    /** Instants {@code from}..{@code to} are reachable from base backup {@code baseBackupId}. */
    public record Range(Instant from, Instant to, String baseBackupId) {
        public boolean contains(Instant at) {
            return !at.isBefore(from) && !at.isAfter(to);
        }
    }

    /** Segment {@code missing} of timeline {@code timeline} is not in the bucket, though WAL after it is. */
    public record Gap(int timeline, String missing, String detail) {
    }

    /** What restoring to an instant needs: the base backup, the WAL chain in order, and the history files. */
    public record Plan(BackupManifest base, List<WalArchive.Entry> segments, List<WalArchive.Entry> histories, Range range) {
    }

    private final String source;
    private final List<Range> ranges;
    private final List<Gap> gaps;
    private final Map<String, List<WalArchive.Entry>> chains;
    private final Map<String, BackupManifest> bases;
    private final Map<String, List<WalArchive.Entry>> histories;

    private RecoveryWindow(String source, List<Range> ranges, List<Gap> gaps, Map<String, List<WalArchive.Entry>> chains,
                           Map<String, BackupManifest> bases, Map<String, List<WalArchive.Entry>> histories) {
        this.source = source;
        this.ranges = ranges;
        this.gaps = gaps;
        this.chains = chains;
        this.bases = bases;
        this.histories = histories;
    }

    public String source() {
        return source;
    }

    /** Reachable ranges, one per base backup, oldest first (they may overlap). */
    public List<Range> ranges() {
        return ranges;
    }

    /** The union of the ranges, oldest first: what an operator reads as "the window". */
    public List<Range> merged() {
        List<Range> merged = new ArrayList<>();
        for (Range r : ranges.stream().sorted(Comparator.comparing(Range::from)).toList()) {
            if (!merged.isEmpty() && !r.from().isAfter(merged.get(merged.size() - 1).to())) {
                Range last = merged.remove(merged.size() - 1);
                merged.add(new Range(last.from(), r.to().isAfter(last.to()) ? r.to() : last.to(), r.baseBackupId()));
            } else {
                merged.add(r);
            }
        }
        return merged;
    }

    public List<Gap> gaps() {
        return gaps;
    }

    public Optional<Instant> latest() {
        return ranges.stream().map(Range::to).max(Comparator.naturalOrder());
    }

    public boolean isEmpty() {
        return ranges.isEmpty();
    }

    /** The newest base backup that reaches {@code at} (the newest instant when null), with what it needs. */
    public Optional<Plan> plan(Instant at) {
        return ranges.stream()
                .filter(r -> at == null || r.contains(at))
                .max(Comparator.comparing(Range::from))
                .map(r -> new Plan(bases.get(r.baseBackupId()), chains.get(r.baseBackupId()), histories.get(r.baseBackupId()), r));
    }

    /** What restoring base backup {@code baseBackupId} to its own consistency point needs, when the WAL for it is stored. */
    public Optional<Plan> planFor(String baseBackupId) {
        return ranges.stream().filter(r -> r.baseBackupId().equals(baseBackupId)).findFirst()
                .map(r -> new Plan(bases.get(r.baseBackupId()), chains.get(r.baseBackupId()), histories.get(r.baseBackupId()), r));
    }

    /** "2026-11-30T10:00:00Z .. 2026-11-30T12:00:05Z, ..." or "empty". */
    public String describe() {
        List<Range> merged = merged();
        if (merged.isEmpty()) return "empty";
        return String.join(", ", merged.stream().map(r -> r.from() + " .. " + r.to()).toList());
    }

    /** Reads what the window needs from the bucket: the listing, history files, chain ends' headers, coverage. */
    public static RecoveryWindow compute(WalArchive archive, String source, List<BackupManifest> manifests) {
        Map<String, List<BackupManifest>> bySystem = new java.util.LinkedHashMap<>();
        for (BackupManifest m : manifests) {
            if (m.physical() != null && source.equals(m.source())) {
                bySystem.computeIfAbsent(m.physical().systemId(), k -> new ArrayList<>()).add(m);
            }
        }
        List<Range> ranges = new ArrayList<>();
        List<Gap> gaps = new ArrayList<>();
        Map<String, List<WalArchive.Entry>> chains = new HashMap<>();
        Map<String, BackupManifest> bases = new HashMap<>();
        Map<String, List<WalArchive.Entry>> histories = new HashMap<>();
        for (Map.Entry<String, List<BackupManifest>> system : bySystem.entrySet()) {
            cluster(archive, source, system.getKey(), system.getValue(), ranges, gaps, chains, bases, histories);
        }
        ranges.sort(Comparator.comparing(Range::from));
        return new RecoveryWindow(source, ranges, gaps, chains, bases, histories);
    }

    /** The ranges the base backups of one cluster reach through that cluster's WAL. */
    private static void cluster(WalArchive archive, String source, String systemId, List<BackupManifest> clusterBases,
                                List<Range> ranges, List<Gap> gaps, Map<String, List<WalArchive.Entry>> chains,
                                Map<String, BackupManifest> bases, Map<String, List<WalArchive.Entry>> histories) {
        WalArchive.Listing listing = archive.list(source, systemId);
        Optional<WalCoverage> coverage = archive.coverage(source, systemId);
        int newest = listing.newestTimeline();
        TimelineHistory history = TimelineHistory.only(newest);
        List<WalArchive.Entry> historyFiles = new ArrayList<>();
        WalArchive.Entry newestHistory = listing.histories().get(newest);
        if (newestHistory != null) {
            try {
                WalArchive.Stored stored = archive.read(newestHistory.key());
                history = TimelineHistory.parse(newest, new String(stored.payload(), StandardCharsets.UTF_8));
                historyFiles.addAll(listing.histories().values());
            } catch (DamagedWal e) {
                gaps.add(new Gap(newest, newestHistory.name(), e.getMessage()));
                return;
            }
        }
        Map<String, Object> headerCache = new HashMap<>();
        for (BackupManifest base : clusterBases) {
            if (history.beginOf(base.physical().timeline()) < 0) {
                continue; // a base backup of a timeline the newest one did not branch from
            }
            long segmentSize = Lsn.DEFAULT_SEGMENT_SIZE;
            long first = Lsn.segmentOf(Lsn.parse(base.physical().startLsn()), segmentSize);
            long consistent = Lsn.segmentOf(Lsn.parse(base.physical().stopLsn()), segmentSize);
            List<WalArchive.Entry> chain = new ArrayList<>();
            long segment = first;
            while (true) {
                Optional<WalArchive.Entry> entry = find(listing, history, segment);
                if (entry.isEmpty()) {
                    if (storedAfter(listing, segment)) {
                        Gap gap = new Gap(timelineFor(history, segment), Lsn.segmentName(timelineFor(history, segment), segment,
                                segmentSize), "segment missing from the bucket, WAL after it is stored: instants after it "
                                + "cannot be reached from base backups taken before it");
                        if (!gaps.contains(gap)) gaps.add(gap);
                    }
                    break;
                }
                chain.add(entry.get());
                if (entry.get().partial()) break;
                segment++;
            }
            if (chain.isEmpty() || Lsn.segmentNumber(chain.get(chain.size() - 1).name(), segmentSize) < consistent) {
                continue; // the WAL that makes this base backup consistent is not (yet) stored
            }
            WalArchive.Entry last = chain.get(chain.size() - 1);
            Instant to = coveredUntil(archive, last, headerCache);
            if (coverage.isPresent() && coverage.get().coveredUntil() != null && covers(chain, coverage.get())
                    && (to == null || coverage.get().coveredUntil().isAfter(to))) {
                to = coverage.get().coveredUntil();
            }
            if (to == null || to.isBefore(base.recoveryPointAt())) {
                continue;
            }
            ranges.add(new Range(base.recoveryPointAt(), to, base.backupId()));
            chains.put(base.backupId(), chain);
            bases.put(base.backupId(), base);
            histories.put(base.backupId(), historyFiles);
        }
    }

    private static boolean covers(List<WalArchive.Entry> chain, WalCoverage coverage) {
        return chain.stream().anyMatch(e -> e.name().equals(coverage.segment()));
    }

    private static Instant coveredUntil(WalArchive archive, WalArchive.Entry entry, Map<String, Object> cache) {
        Object cached = cache.computeIfAbsent(entry.key(), k -> {
            try {
                return archive.header(k).map(h -> (Object) (h.coveredUntil() == null ? "none" : h.coveredUntil())).orElse("none");
            } catch (DamagedWal e) {
                return "none";
            }
        });
        return cached instanceof Instant i ? i : null;
    }

    /** The timeline recovery reads segment {@code segment} from: the newest on the path that has begun by then. */
    static int timelineFor(TimelineHistory history, long segment) {
        for (int tli : history.pathNewestFirst()) {
            if (Lsn.segmentOf(history.beginOf(tli), Lsn.DEFAULT_SEGMENT_SIZE) <= segment) {
                return tli;
            }
        }
        return history.timeline();
    }

    /** As recovery looks for a segment: the newest timeline that has begun by then first, then older ones. */
    private static Optional<WalArchive.Entry> find(WalArchive.Listing listing, TimelineHistory history, long segment) {
        for (int tli : history.pathNewestFirst()) {
            long begin = Lsn.segmentOf(history.beginOf(tli), Lsn.DEFAULT_SEGMENT_SIZE);
            long end = history.endOf(tli) == Long.MAX_VALUE ? Long.MAX_VALUE : Lsn.segmentOf(history.endOf(tli), Lsn.DEFAULT_SEGMENT_SIZE);
            if (segment < begin || segment > end) {
                continue;
            }
            Optional<WalArchive.Entry> e = listing.find(tli, segment);
            if (e.isPresent()) {
                return e;
            }
        }
        return Optional.empty();
    }

    private static boolean storedAfter(WalArchive.Listing listing, long segment) {
        return listing.complete().values().stream().anyMatch(m -> m.higherKey(segment) != null)
                || listing.partial().values().stream().anyMatch(m -> m.higherKey(segment) != null);
    }
}

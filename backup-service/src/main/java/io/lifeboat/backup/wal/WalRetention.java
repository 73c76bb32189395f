package io.lifeboat.backup.wal;

import io.lifeboat.bucket.BackupBucket;
import io.lifeboat.bucket.wal.Lsn;
import io.lifeboat.bucket.wal.WalArchive;
import io.lifeboat.events.storage.BackupManifest;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Retention of a continuous source's WAL, after its base backups' retention ran: a segment is deleted only when no
 * base backup still in the bucket needs it (it lies before the start of the oldest one of its cluster), so every
 * instant from the oldest kept base backup on stays restorable. An old cluster none of whose base backups is kept
 * any more has no restorable instant left: its WAL goes; the current cluster's never goes before it has one.
 */
@ApplicationScoped
public class WalRetention {

    private static final Logger LOG = Logger.getLogger(WalRetention.class);

    private final WalArchive archive;
    private final BackupBucket bucket;
    private final WalState state;

    public WalRetention(WalArchive archive, BackupBucket bucket, WalState state) {
        this.archive = archive;
        this.bucket = bucket;
        this.state = state;
    }

    /** Returns how many WAL objects were deleted. */
    public int apply(String source) {
        List<BackupManifest> bases = bucket.manifests(source).stream().filter(m -> m.physical() != null).toList();
        String current = state.get(source).map(w -> w.systemId).orElse(null);
        int deleted = 0;
        for (String system : archive.systems(source)) {
            long oldestNeeded = bases.stream().filter(b -> b.physical().systemId().equals(system))
                    .mapToLong(b -> Lsn.segmentOf(Lsn.parse(b.physical().startLsn()), Lsn.DEFAULT_SEGMENT_SIZE))
                    .min().orElse(system.equals(current) ? -1 : Long.MAX_VALUE);
            if (oldestNeeded < 0) {
                continue; // the cluster being streamed before its first base backup: everything may be needed
            }
            WalArchive.Listing listing = archive.list(source, system);
            deleted += deleteBefore(listing.complete(), oldestNeeded) + deleteBefore(listing.partial(), oldestNeeded);
            if (oldestNeeded == Long.MAX_VALUE) {
                listing.histories().values().forEach(h -> archive.delete(h.key()));
                archive.delete(archive.coverageKey(source, system));
            }
        }
        if (deleted > 0) {
            LOG.infof("WAL retention of %s: deleted %d segment object(s) no kept base backup needs", source, deleted);
        }
        return deleted;
    }

    private int deleteBefore(Map<Integer, TreeMap<Long, WalArchive.Entry>> byTimeline, long segment) {
        int deleted = 0;
        for (TreeMap<Long, WalArchive.Entry> entries : byTimeline.values()) {
            for (WalArchive.Entry e : entries.headMap(segment, false).values()) {
                archive.delete(e.key());
                deleted++;
            }
        }
        return deleted;
    }
}

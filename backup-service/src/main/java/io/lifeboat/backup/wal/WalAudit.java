package io.lifeboat.backup.wal;

import io.lifeboat.bucket.BackupBucket;
import io.lifeboat.bucket.wal.RecoveryWindow;
import io.lifeboat.bucket.wal.WalArchive;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Checks, from the bucket alone, that the WAL of each source this instance streams is really restorable: a base
 * backup plus a gap-free chain reaching the newest stored WAL. Only then does the stored WAL count as the source's
 * recovery point ({@code restorableUntil}). A segment missing from the bucket is a gap: told once, and a new base
 * backup starts.
 */
@ApplicationScoped
public class WalAudit {

    private static final Logger LOG = Logger.getLogger(WalAudit.class);

    private final WalStreams streams;
    private final WalArchive archive;
    private final BackupBucket bucket;
    private final WalState state;
    private final Map<String, Set<String>> reportedGaps = new ConcurrentHashMap<>();

    public WalAudit(WalStreams streams, WalArchive archive, BackupBucket bucket, WalState state) {
        this.streams = streams;
        this.archive = archive;
        this.bucket = bucket;
        this.state = state;
    }

    @Scheduled(every = "${lifeboat.backup.wal.audit-every:30s}", delayed = "5s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void auditStreamed() {
        for (String source : streams.streaming()) {
            try {
                audit(source);
            } catch (RuntimeException e) {
                LOG.debugf("WAL audit of %s could not run: %s", source, e.getMessage());
            }
        }
    }

    /** Audits one source now (also after each of its base backups); returns its window. */
    public RecoveryWindow audit(String source) {
        // the coverage first: the window, read after it, reaches at least that far when the chain is whole
        String systemId = state.get(source).map(w -> w.systemId).orElse(null);
        Instant covered = systemId == null ? null : archive.coverage(source, systemId).map(c -> c.coveredUntil()).orElse(null);
        RecoveryWindow window = RecoveryWindow.compute(archive, source, bucket.manifests(source));
        Set<String> reported = reportedGaps.computeIfAbsent(source, s -> ConcurrentHashMap.newKeySet());
        for (RecoveryWindow.Gap gap : window.gaps()) {
            if (reported.add(gap.missing())) {
                streams.gap(source, gap.timeline(), gap.missing(), gap.detail());
            }
        }
        // restorable: the current cluster's newest stored WAL is reached from one of its verified base backups
        boolean restorable = covered != null && window.ranges().stream().anyMatch(r -> !r.to().isBefore(covered));
        state.restorable(source, systemId, restorable);
        return window;
    }
}

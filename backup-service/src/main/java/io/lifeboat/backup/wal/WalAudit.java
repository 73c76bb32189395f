package io.lifeboat.backup.wal;

import io.lifeboat.bucket.BackupBucket;
import io.lifeboat.bucket.wal.RecoveryWindow;
import io.lifeboat.bucket.wal.WalArchive;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.Duration;
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
    private static final Duration FOLLOW_UP_FOR = Duration.ofMinutes(5);

    private final WalStreams streams;
    private final WalArchive archive;
    private final BackupBucket bucket;
    private final WalState state;
    private final Map<String, Set<String>> reportedGaps = new ConcurrentHashMap<>();
    /** Sources with a new base backup whose WAL was not restorable yet, and until when to look again soon. */
    private final Map<String, Instant> followUps = new ConcurrentHashMap<>();
    /** Per source, why its last scheduled audit could not run (absent once one ran). */
    private final Map<String, String> auditFailures = new ConcurrentHashMap<>();

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
                auditFailures.remove(source);
            } catch (RuntimeException e) {
                // told once per new reason: an audit that cannot run leaves gaps unseen
                String why = e.getMessage() == null ? e.toString() : e.getMessage();
                if (!why.equals(auditFailures.put(source, why))) {
                    LOG.warnf("WAL audit of %s could not run: %s", source, why);
                }
            }
        }
    }

    /**
     * After a base backup: the WAL that makes it consistent usually reaches the bucket a flush later, so the source is
     * audited again every few seconds until it is restorable (for a few minutes at most), not only at the next round.
     */
    public void afterBaseBackup(String source) {
        if (!audit(source)) {
            followUps.put(source, Instant.now().plus(FOLLOW_UP_FOR));
        }
    }

    @Scheduled(every = "2s", delayed = "2s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void followUp() {
        for (Map.Entry<String, Instant> e : followUps.entrySet()) {
            try {
                if (audit(e.getKey()) || Instant.now().isAfter(e.getValue())) {
                    followUps.remove(e.getKey());
                }
            } catch (RuntimeException ex) {
                LOG.debugf("WAL audit of %s could not run: %s", e.getKey(), ex.getMessage());
            }
        }
    }

    /** Audits one source now; returns whether its stored WAL is restorable. */
    public boolean audit(String source) {
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
        return restorable;
    }
}

package io.lifeboat.backup.backup;

import io.lifeboat.backup.chunk.ChunkSweep;
import io.lifeboat.backup.source.Source;
import io.lifeboat.bucket.BackupBucket;
import io.lifeboat.events.backup.BackupExpired;
import io.lifeboat.outbox.Outbox;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.IsoFields;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Applies a source's retention after each completed backup: keep the last N, the newest backup of each of the
 * last D days and W ISO weeks, and everything younger than maxAge, counting verified-good backups only. The
 * newest verified backup is always kept, and nothing is deleted while the newest backup failed or is not verified
 * good. An expired backup loses its manifest first (it stops being a backup), then its data; the row stays, with
 * the reason. Then chunks that no kept backup references any more are swept ({@link ChunkSweep}).
 */
@ApplicationScoped
public class Retention {

    private static final Logger LOG = Logger.getLogger(Retention.class);

    private final BackupBucket bucket;
    private final Outbox outbox;
    private final ChunkSweep chunkSweep;

    public Retention(BackupBucket bucket, Outbox outbox, ChunkSweep chunkSweep) {
        this.bucket = bucket;
        this.outbox = outbox;
        this.chunkSweep = chunkSweep;
    }

    public void apply(String sourceName) {
        List<Backup> expired = QuarkusTransaction.requiringNew().call(() -> {
            Source source = Source.findById(sourceName);
            if (source == null) {
                return List.<Backup>of();
            }
            Backup newest = Backup.<Backup>find("source = ?1 AND phase IN ?2 AND expiredAt IS NULL ORDER BY createdAt DESC",
                    sourceName, List.of(BackupPhase.Completed, BackupPhase.Failed)).firstResult();
            if (newest == null || newest.phase != BackupPhase.Completed || !Boolean.TRUE.equals(newest.verifiedOk)) {
                // the newest backup may be all there is to restore from: nothing goes while it is not proven good
                LOG.infof("retention of %s deletes nothing: its newest backup %s is %s", sourceName,
                        newest == null ? "-" : newest.id, newest == null ? "missing" : newest.phase == BackupPhase.Failed
                                ? "Failed" : Boolean.FALSE.equals(newest.verifiedOk) ? "damaged" : "not verified yet");
                return List.<Backup>of();
            }
            List<Backup> completed = Backup.list("source = ?1 AND phase = ?2 AND expiredAt IS NULL ORDER BY recoveryPointAt DESC",
                    sourceName, BackupPhase.Completed);
            // the rules count verified-good backups only: a damaged one never takes a good one's place
            List<Backup> good = completed.stream().filter(b -> Boolean.TRUE.equals(b.verifiedOk)).toList();
            Map<String, String> keep = keep(source, good, Instant.now());
            return completed.stream().filter(b -> !keep.containsKey(b.id)).toList();
        });
        for (Backup b : expired) {
            String reason = "retention of " + sourceName + " keeps it no longer";
            try {
                bucket.delete(b.manifestKey);
                bucket.delete(b.objectKey);
                QuarkusTransaction.requiringNew().run(() -> {
                    Backup row = Backup.findById(b.id);
                    row.expiredAt = Instant.now();
                    row.expiredReason = reason;
                    outbox.append("retention", new BackupExpired(row.id, row.source, reason, row.objectKey, row.expiredAt));
                });
                LOG.infof("expired backup %s (%s)", b.id, reason);
            } catch (RuntimeException e) {
                LOG.warnf("cannot expire %s yet: %s", b.id, e.getMessage());
            }
        }
        // chunks only the expired (or failed) backups referenced
        chunkSweep.sweep(sourceName);
    }

    /** The backups to keep, with why. {@code newestFirst} is ordered by recovery point, newest first. */
    static Map<String, String> keep(Source s, List<Backup> newestFirst, Instant now) {
        Map<String, String> keep = new LinkedHashMap<>();
        if (newestFirst.isEmpty()) {
            return keep;
        }
        keep.put(newestFirst.get(0).id, "newest");
        if (s.keepLast != null) {
            newestFirst.stream().limit(s.keepLast).forEach(b -> keep.putIfAbsent(b.id, "last " + s.keepLast));
        }
        if (s.keepDaily != null) {
            Set<LocalDate> days = new HashSet<>();
            for (Backup b : newestFirst) {
                LocalDate day = LocalDate.ofInstant(b.recoveryPointAt, ZoneOffset.UTC);
                if (days.size() < s.keepDaily && days.add(day)) {
                    keep.putIfAbsent(b.id, "daily " + day);
                }
            }
        }
        if (s.keepWeekly != null) {
            Set<String> weeks = new HashSet<>();
            for (Backup b : newestFirst) {
                LocalDate day = LocalDate.ofInstant(b.recoveryPointAt, ZoneOffset.UTC);
                String week = day.get(IsoFields.WEEK_BASED_YEAR) + "-W" + day.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR);
                if (weeks.size() < s.keepWeekly && weeks.add(week)) {
                    keep.putIfAbsent(b.id, "weekly " + week);
                }
            }
        }
        if (s.maxAgeSeconds != null) {
            Instant cutoff = now.minus(Duration.ofSeconds(s.maxAgeSeconds));
            newestFirst.stream().filter(b -> b.recoveryPointAt.isAfter(cutoff)).forEach(b -> keep.putIfAbsent(b.id, "younger than max age"));
        }
        return keep;
    }
}

package io.lifeboat.backup.backup;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.time.Duration;
import java.time.Instant;

/**
 * A backup as the API shows it; {@code progress} only while it runs. {@code format}: {@code pg_dump},
 * {@code base-backup} (a continuous source's physical backup), {@code tar} (a directory) or {@code chunked-tar} (a
 * directory stored as chunks: {@code storedBytes} is what the backup occupies, {@code uploadedBytes} what it had to
 * upload).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record BackupView(String id, String source, String kind, String format, BackupPhase phase, String trigger, String actor,
                         Instant createdAt, Instant startedAt, Instant completedAt, Instant recoveryPointAt,
                         Long sizeBytes, Long storedBytes, Long uploadedBytes, String sha256, String objectKey, String manifestKey,
                         String compression, String encryptionKeyId, String failedStep, String error, Instant expiredAt,
                         Verification verification, Progress progress) {

    public record Progress(long bytesDone, Long bytesTotal, Double percent, Double bytesPerSecond, Duration eta) {
    }

    public record Verification(Instant verifiedAt, boolean ok, String detail) {
    }

    public static BackupView of(Backup b) {
        Progress progress = null;
        if (b.phase == BackupPhase.InProgress) {
            Double rate = null;
            Duration eta = null;
            Double percent = null;
            if (b.startedAt != null) {
                double seconds = Math.max(0.001, Duration.between(b.startedAt, Instant.now()).toMillis() / 1000.0);
                rate = b.progressBytes / seconds;
                if (b.estimatedBytes != null && b.estimatedBytes > 0) {
                    percent = Math.min(99.9, 100.0 * b.progressBytes / b.estimatedBytes);
                    if (rate > 0) {
                        eta = Duration.ofSeconds((long) Math.max(0, (b.estimatedBytes - b.progressBytes) / rate));
                    }
                }
            }
            progress = new Progress(b.progressBytes, b.estimatedBytes, percent, rate, eta);
        }
        Verification verification = b.verifiedAt == null ? null : new Verification(b.verifiedAt, Boolean.TRUE.equals(b.verifiedOk), b.verifyDetail);
        return new BackupView(b.id, b.source, b.kind, b.physical ? "base-backup" : "postgres".equals(b.kind) ? "pg_dump" : b.uploadedBytes != null ? "chunked-tar" : "tar", b.phase, b.trigger, b.actor, b.createdAt, b.startedAt, b.completedAt,
                b.recoveryPointAt, b.sizeBytes, b.storedBytes, b.uploadedBytes, b.sha256, b.objectKey, b.manifestKey, b.compression,
                b.encryptionKeyId, b.failedPhase, b.error, b.expiredAt, verification, progress);
    }
}

package io.lifeboat.backup.backup;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;

/** One backup run of a source; a long operation with an explicit phase. */
@Entity
@Table(name = "backup")
public class Backup extends PanacheEntityBase {
    @Id
    public String id;
    public String source;
    public String kind;
    @Enumerated(EnumType.STRING)
    public BackupPhase phase;
    public String trigger;
    public String actor;
    @Column(name = "created_at")
    public Instant createdAt;
    @Column(name = "started_at")
    public Instant startedAt;
    @Column(name = "completed_at")
    public Instant completedAt;
    @Column(name = "recovery_point_at")
    public Instant recoveryPointAt;
    @Column(name = "size_bytes")
    public Long sizeBytes;
    @Column(name = "stored_bytes")
    public Long storedBytes;
    /** A chunked backup: the bytes it uploaded (its other chunks were stored already). */
    @Column(name = "uploaded_bytes")
    public Long uploadedBytes;
    @Column(name = "progress_bytes")
    public long progressBytes;
    @Column(name = "estimated_bytes")
    public Long estimatedBytes;
    @Column(name = "heartbeat_at")
    public Instant heartbeatAt;
    public String sha256;
    @Column(name = "object_key")
    public String objectKey;
    @Column(name = "manifest_key")
    public String manifestKey;
    @Column(name = "upload_id")
    public String uploadId;
    public String compression;
    @Column(name = "encryption_key_id")
    public String encryptionKeyId;
    @Column(name = "failed_phase")
    public String failedPhase;
    public String error;
    @Column(name = "owner_instance")
    public String ownerInstance;
    @Column(name = "verified_at")
    public Instant verifiedAt;
    @Column(name = "verified_ok")
    public Boolean verifiedOk;
    @Column(name = "verify_detail")
    public String verifyDetail;
    @Column(name = "expired_at")
    public Instant expiredAt;
    /** A physical base backup of a continuous source (pg_basebackup), not a pg_dump. */
    public boolean physical;
    @Column(name = "expired_reason")
    public String expiredReason;

    /** Moves to {@code next}, refusing transitions the phase model does not allow. */
    public void moveTo(BackupPhase next) {
        if (!phase.canMoveTo(next)) {
            throw new IllegalStateException("backup " + id + " cannot go from " + phase + " to " + next);
        }
        phase = next;
    }
}

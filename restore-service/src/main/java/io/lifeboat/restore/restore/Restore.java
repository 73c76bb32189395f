package io.lifeboat.restore.restore;

import io.lifeboat.events.restore.CheckResult;
import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** One restore: a long operation with a phase, timed steps, progress and verification results. */
@Entity
@Table(name = "restore")
public class Restore extends PanacheEntityBase {
    @Id
    public String id;
    public String source;
    @Column(name = "backup_id")
    public String backupId;
    @Column(name = "backup_selector")
    public String backupSelector;
    @Column(name = "recovery_point_at")
    public Instant recoveryPointAt;
    public String target;
    /** Point-in-time restores: {@code time} (to {@link #recoveryTargetAt}), {@code latest} or {@code immediate}. */
    @Column(name = "recovery_target")
    public String recoveryTarget;
    @Column(name = "recovery_target_at")
    public Instant recoveryTargetAt;
    @Column(name = "target_kind")
    public String targetKind;
    @Enumerated(EnumType.STRING)
    public RestoreMode mode;
    @Enumerated(EnumType.STRING)
    public RestoreReason reason;
    @Column(name = "incident_id")
    public String incidentId;
    @Column(name = "drill_id")
    public String drillId;
    public String actor;
    @Enumerated(EnumType.STRING)
    public RestorePhase phase;
    @Column(name = "requested_at")
    public Instant requestedAt;
    @Column(name = "started_at")
    public Instant startedAt;
    @Column(name = "completed_at")
    public Instant completedAt;
    @Column(name = "bytes_done")
    public long bytesDone;
    @Column(name = "bytes_total")
    public Long bytesTotal;
    /** The database or directory the backup was restored into. */
    @Column(name = "restored_as")
    public String restoredAs;
    /** Where the replaced data was moved aside ({@code _corrupted_}). */
    @Column(name = "moved_aside_as")
    public String movedAsideAs;
    /** null, "swapping" or "swapped": lets recovery after a crash put the target back together. */
    @Column(name = "swap_state")
    public String swapState;
    @JdbcTypeCode(SqlTypes.JSON)
    public List<StepRecord> steps = new ArrayList<>();
    @JdbcTypeCode(SqlTypes.JSON)
    public List<CheckResult> checks = new ArrayList<>();
    @JdbcTypeCode(SqlTypes.JSON)
    @Column(name = "requested_checks")
    public List<CheckSpec> requestedChecks = new ArrayList<>();
    @Column(name = "failed_step")
    public String failedStep;
    public String error;
    @Column(name = "owner_instance")
    public String ownerInstance;
    @Column(name = "heartbeat_at")
    public Instant heartbeatAt;

    public void moveTo(RestorePhase next) {
        if (!phase.canMoveTo(next)) {
            throw new IllegalStateException("restore " + id + " cannot go from " + phase + " to " + next);
        }
        phase = next;
    }
}

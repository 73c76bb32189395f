package io.lifeboat.drill.calendar;

import com.fasterxml.jackson.databind.JsonNode;
import io.lifeboat.drill.run.DrillStep;
import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** A drill: scheduled by the calendar or started on demand; its steps, measurements and verdict. */
@Entity
@Table(name = "drill")
public class Drill extends PanacheEntityBase {
    @Id
    public String id;
    public String scenario;
    /** Scheduled, Announced, Running, Completed, Failed, Debriefed. */
    public String phase;
    @Column(name = "scheduled_for")
    public Instant scheduledFor;
    @Column(name = "announced_at")
    public Instant announcedAt;
    @Column(name = "started_at")
    public Instant startedAt;
    @Column(name = "completed_at")
    public Instant completedAt;
    public String trigger;
    @Column(name = "created_at")
    public Instant createdAt;
    @Column(name = "keep_restored")
    public boolean keepRestored;
    /**
     * Take a fresh test backup and restore it, instead of the newest verified backup at the drill's start (what a
     * real incident would restore). The RPO is measured on the latter either way.
     */
    @Column(name = "fresh_backup")
    public boolean freshBackup;
    /** "skip" (automated run) or "wait" (an operator confirms each manual step). */
    @Column(name = "manual_steps")
    public String manualSteps;
    @JdbcTypeCode(SqlTypes.JSON)
    public List<DrillStep> steps = new ArrayList<>();
    @JdbcTypeCode(SqlTypes.JSON)
    public JsonNode prepared;
    @JdbcTypeCode(SqlTypes.JSON)
    public JsonNode restores;
    public String verdict;
    @JdbcTypeCode(SqlTypes.JSON)
    public List<String> reasons = new ArrayList<>();
    @Column(name = "rto_seconds")
    public Double rtoSeconds;
    @Column(name = "rpo_seconds")
    public Double rpoSeconds;
    @Column(name = "throughput_bps")
    public Double throughputBps;
    public String error;
    @Column(name = "owner_instance")
    public String ownerInstance;
    @Column(name = "heartbeat_at")
    public Instant heartbeatAt;
    public String actor;
    @JdbcTypeCode(SqlTypes.JSON)
    public JsonNode debrief;
}

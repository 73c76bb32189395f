package io.lifeboat.incident.incident;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;
import java.util.Arrays;
import java.util.List;

/** An incident: what happened, its impact window and where it is in its status machine. */
@Entity
@Table(name = "incident")
public class Incident extends PanacheEntityBase {
    @Id
    public String id;
    @Column(name = "seq_year")
    public int seqYear;
    @Column(name = "seq_no")
    public int seqNo;
    public String title;
    @Enumerated(EnumType.STRING)
    public Severity severity;
    public String scenario;
    @Enumerated(EnumType.STRING)
    public IncidentStatus status;
    @Column(name = "impact_started_at")
    public Instant impactStartedAt;
    @Column(name = "detected_at")
    public Instant detectedAt;
    @Column(name = "declared_at")
    public Instant declaredAt;
    @Column(name = "service_restored_at")
    public Instant serviceRestoredAt;
    @Column(name = "resolved_at")
    public Instant resolvedAt;
    @Column(name = "reviewed_at")
    public Instant reviewedAt;
    @Column(name = "postmortem_at")
    public Instant postmortemAt;
    public String sources;
    @Column(name = "declared_by")
    public String declaredBy;

    public List<String> sourceList() {
        return sources == null || sources.isBlank() ? List.of() : Arrays.asList(sources.split(","));
    }
}

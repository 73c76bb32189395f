package io.lifeboat.drill.scenario;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

import java.time.Instant;
import java.util.Arrays;
import java.util.List;

/** A disaster scenario of the runbook, as data: its sources, targets and ordered, budgeted steps. */
@Entity
@Table(name = "scenario")
public class Scenario extends PanacheEntityBase {
    @Id
    public String name;
    public String title;
    /** Comma-separated source names. */
    public String sources;
    @Column(name = "rto_target_seconds")
    public long rtoTargetSeconds;
    @Column(name = "rpo_target_seconds")
    public long rpoTargetSeconds;
    @JdbcTypeCode(SqlTypes.JSON)
    public List<Step> steps;
    @Column(name = "updated_at")
    public Instant updatedAt;

    public List<String> sourceList() {
        return Arrays.stream(sources.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }
}

package io.lifeboat.drill.calendar;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;

/** A drill: scheduled by the calendar or started on demand. */
@Entity
@Table(name = "drill")
public class Drill extends PanacheEntityBase {
    @Id
    public String id;
    public String scenario;
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
}

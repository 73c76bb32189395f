package io.lifeboat.incident.incident;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;
import java.time.LocalDate;

/** A follow-up action item with an owner and a due date. */
@Entity
@Table(name = "incident_action")
public class IncidentAction extends PanacheEntityBase {
    @Id
    public String id;
    @Column(name = "incident_id")
    public String incidentId;
    public String title;
    public String owner;
    @Column(name = "due_date")
    public LocalDate dueDate;
    @Column(name = "added_at")
    public Instant addedAt;
    @Column(name = "closed_at")
    public Instant closedAt;
}

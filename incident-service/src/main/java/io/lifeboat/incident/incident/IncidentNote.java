package io.lifeboat.incident.incident;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;

@Entity
@Table(name = "incident_note")
public class IncidentNote extends PanacheEntityBase {
    @Id
    public String id;
    @Column(name = "incident_id")
    public String incidentId;
    public String text;
    public String author;
    @Column(name = "added_at")
    public Instant addedAt;
}

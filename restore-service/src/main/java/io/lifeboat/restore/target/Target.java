package io.lifeboat.restore.target;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;

/** A named place restores go to; {@code source} marks it as that source's home (default) target. */
@Entity
@Table(name = "target")
public class Target extends PanacheEntityBase {
    @Id
    public String name;
    @Enumerated(EnumType.STRING)
    public TargetKind kind;
    public String source;
    public String host;
    public Integer port;
    @Column(name = "db_user")
    public String dbUser;
    @Column(name = "password_ref")
    public String passwordRef;
    public String path;
    public boolean production;
    @Column(name = "created_at")
    public Instant createdAt;
    @Column(name = "updated_at")
    public Instant updatedAt;
}

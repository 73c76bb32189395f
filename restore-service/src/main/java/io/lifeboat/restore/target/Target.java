package io.lifeboat.restore.target;

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

/**
 * A named place restores go to: a database of a PostgreSQL server, or a folder. {@code source} marks it as that
 * source's home (default) target; {@code production} ones need an admin and a confirmation to be replaced.
 */
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
    /** The database of a postgres target: the only one a replace restore touches. */
    @Column(name = "database_name")
    public String database;
    @Column(name = "db_user")
    public String dbUser;
    @Column(name = "password_ref")
    public String passwordRef;
    public String path;
    public boolean production;
    /** URL prefixes the post-restore HTTP checks of this target may call (set by an admin). */
    @JdbcTypeCode(SqlTypes.JSON)
    @Column(name = "http_check_urls")
    public List<String> httpCheckUrls = new ArrayList<>();
    @Column(name = "created_at")
    public Instant createdAt;
    @Column(name = "updated_at")
    public Instant updatedAt;
}

package io.lifeboat.restore.catalog;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;

/** A completed backup as learnt from its event; the manifest in the bucket remains the commit point. */
@Entity
@Table(name = "catalog_entry")
public class CatalogEntry extends PanacheEntityBase {
    @Id
    @Column(name = "backup_id")
    public String backupId;
    public String source;
    public String kind;
    @Column(name = "recovery_point_at")
    public Instant recoveryPointAt;
    @Column(name = "completed_at")
    public Instant completedAt;
    @Column(name = "stored_bytes")
    public long storedBytes;
    public String sha256;
    @Column(name = "object_key")
    public String objectKey;
    @Column(name = "manifest_key")
    public String manifestKey;
    @Column(name = "expired_at")
    public Instant expiredAt;
}

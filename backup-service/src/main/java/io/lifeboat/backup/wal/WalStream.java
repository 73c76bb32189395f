package io.lifeboat.backup.wal;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;

/** The WAL stream of one continuous source: its holder, its state and how far the bucket has its WAL. */
@Entity
@Table(name = "wal_stream")
public class WalStream extends PanacheEntityBase {

    @Id
    public String source;
    @Column(name = "owner_instance")
    public String ownerInstance;
    @Column(name = "lease_until")
    public Instant leaseUntil;
    public String state;
    public String detail;
    @Column(name = "system_id")
    public String systemId;
    public Integer timeline;
    /** Every WAL byte before this position is in the bucket. */
    @Column(name = "stored_lsn")
    public String storedLsn;
    public String segment;
    @Column(name = "covered_until")
    public Instant coveredUntil;
    public boolean restorable;
    @Column(name = "last_event_at")
    public Instant lastEventAt;
    @Column(name = "updated_at")
    public Instant updatedAt;
}

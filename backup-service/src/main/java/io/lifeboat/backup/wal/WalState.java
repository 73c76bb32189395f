package io.lifeboat.backup.wal;

import io.lifeboat.backup.config.BackupConfig;
import io.lifeboat.events.backup.WalArchived;
import io.lifeboat.events.backup.WalGapDetected;
import io.lifeboat.events.backup.WalStreamChanged;
import io.lifeboat.outbox.Outbox;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import java.util.Optional;

/**
 * The stored state of WAL streams and the events they emit, each change and its event in one transaction.
 * Progress events are throttled ({@code lifeboat.backup.wal.event-every}); a completed segment is always told.
 */
@ApplicationScoped
public class WalState {

    private static final String ACTOR = "lifeboat:wal-stream";

    private final Outbox outbox;
    private final EntityManager em;
    private final BackupConfig config;

    public WalState(Outbox outbox, EntityManager em, BackupConfig config) {
        this.outbox = outbox;
        this.em = em;
        this.config = config;
    }

    public Optional<WalStream> get(String source) {
        return QuarkusTransaction.requiringNew().call(() -> Optional.ofNullable(WalStream.<WalStream>findById(source))
                .map(w -> {
                    em.detach(w);
                    return w;
                }));
    }

    /**
     * Takes or renews the lease of {@code source} for {@code instance} (on the database's clock, so instances with
     * skewed clocks agree); true when this instance holds it now.
     */
    public boolean claim(String source, String instance) {
        long leaseMillis = config.wal().lease().toMillis();
        return QuarkusTransaction.requiringNew().call(() -> {
            em.createNativeQuery("INSERT INTO wal_stream (source, updated_at) VALUES (?1, now()) ON CONFLICT (source) DO NOTHING")
                    .setParameter(1, source).executeUpdate();
            return em.createNativeQuery("UPDATE wal_stream SET owner_instance = ?2, "
                            + "lease_until = now() + make_interval(secs => ?3), updated_at = now() "
                            + "WHERE source = ?1 AND (owner_instance IS NULL OR owner_instance = ?2 OR lease_until < now())")
                    .setParameter(1, source).setParameter(2, instance).setParameter(3, leaseMillis / 1000.0)
                    .executeUpdate() == 1;
        });
    }

    /** Gives the lease up (the stream stopped here), so another instance takes it at once. */
    public void release(String source, String instance) {
        QuarkusTransaction.requiringNew().run(() -> em.createNativeQuery(
                        "UPDATE wal_stream SET owner_instance = NULL, lease_until = NULL WHERE source = ?1 AND owner_instance = ?2")
                .setParameter(1, source).setParameter(2, instance).executeUpdate());
    }

    void streaming(String source, String instance, String systemId, int timeline, String startLsn) {
        QuarkusTransaction.requiringNew().run(() -> {
            WalStream w = WalStream.findById(source);
            w.state = "streaming";
            w.detail = null;
            w.systemId = systemId;
            w.updatedAt = now();
            outbox.append(ACTOR, new WalStreamChanged(source, "streaming", instance, timeline, startLsn, null, now()));
        });
    }

    /** The source is another cluster now: what is stored of the old one no longer says how far the new one is. */
    void newCluster(String source, String systemId) {
        QuarkusTransaction.requiringNew().run(() -> {
            WalStream w = WalStream.findById(source);
            w.systemId = systemId;
            w.timeline = null;
            w.storedLsn = null;
            w.segment = null;
            w.coveredUntil = null;
            w.restorable = false;
            w.updatedAt = now();
        });
    }

    /** WAL before {@code lsn} is lost (a gap was told): the stream goes on from there. */
    void skipTo(String source, int timeline, String lsn) {
        QuarkusTransaction.requiringNew().run(() -> {
            WalStream w = WalStream.findById(source);
            w.timeline = timeline;
            w.storedLsn = lsn;
            w.updatedAt = now();
        });
    }

    /** The stream cannot run or store; told once per distinct reason. */
    void failing(String source, String instance, int timeline, String detail) {
        QuarkusTransaction.requiringNew().run(() -> {
            WalStream w = WalStream.findById(source);
            if (w == null || "failing".equals(w.state) && Objects.equals(w.detail, detail)) {
                return;
            }
            w.state = "failing";
            w.detail = detail;
            w.updatedAt = now();
            outbox.append(ACTOR, new WalStreamChanged(source, "failing", instance, timeline, null, detail, now()));
        });
    }

    void stopped(String source, String instance) {
        QuarkusTransaction.requiringNew().run(() -> {
            WalStream w = WalStream.findById(source);
            if (w == null || "stopped".equals(w.state)) {
                return;
            }
            w.state = "stopped";
            w.updatedAt = now();
            outbox.append(ACTOR, new WalStreamChanged(source, "stopped", instance, w.timeline == null ? 0 : w.timeline, null,
                    null, now()));
        });
    }

    /** WAL up to {@code storedLsn} is in the bucket; {@code coveredUntil} as measured on the source. */
    void stored(String source, int timeline, String segment, String storedLsn, Instant coveredUntil, boolean partial) {
        QuarkusTransaction.requiringNew().run(() -> {
            WalStream w = WalStream.findById(source);
            boolean timelineChanged = w.timeline != null && w.timeline != timeline;
            w.timeline = timeline;
            w.segment = segment;
            w.storedLsn = storedLsn;
            if (coveredUntil != null) {
                w.coveredUntil = coveredUntil;
            }
            if ("failing".equals(w.state)) {
                w.state = "streaming";
                w.detail = null;
            }
            Instant now = now();
            w.updatedAt = now;
            boolean due = w.lastEventAt == null || !partial || timelineChanged
                    || w.lastEventAt.plus(config.wal().eventEvery()).isBefore(now);
            if (due && w.coveredUntil != null) {
                w.lastEventAt = now;
                outbox.append(ACTOR, new WalArchived(source, timeline, segment, storedLsn, w.coveredUntil,
                        w.restorable ? w.coveredUntil : null, partial, now));
            }
        });
    }

    /**
     * Whether a verified base backup and a gap-free chain make the stored WAL of cluster {@code systemId}
     * reachable ({@link WalAudit}); ignored when the source has become another cluster since the audit began.
     */
    void restorable(String source, String systemId, boolean restorable) {
        QuarkusTransaction.requiringNew().run(() -> {
            WalStream w = WalStream.findById(source);
            if (w == null || w.restorable == restorable || !java.util.Objects.equals(w.systemId, systemId)) {
                return;
            }
            w.restorable = restorable;
            w.updatedAt = now();
            if (w.coveredUntil != null && w.segment != null) {
                w.lastEventAt = now();
                outbox.append(ACTOR, new WalArchived(source, w.timeline == null ? 0 : w.timeline, w.segment, w.storedLsn,
                        w.coveredUntil, restorable ? w.coveredUntil : null, true, now()));
            }
        });
    }

    void gap(String source, int timeline, String missing, String detail) {
        QuarkusTransaction.requiringNew().run(() -> {
            WalStream w = WalStream.findById(source);
            if (w != null) {
                w.restorable = false;
                w.updatedAt = now();
            }
            outbox.append(ACTOR, new WalGapDetected(source, timeline, missing, detail, now()));
        });
    }

    private static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MICROS);
    }
}

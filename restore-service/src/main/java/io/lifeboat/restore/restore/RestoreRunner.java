package io.lifeboat.restore.restore;

import io.lifeboat.bucket.BackupBucket;
import io.lifeboat.bucket.UntrustedManifest;
import io.lifeboat.events.restore.RestoreStarted;
import io.lifeboat.events.storage.BackupManifest;
import io.lifeboat.outbox.Outbox;
import io.lifeboat.restore.storage.Decryption;
import io.lifeboat.restore.target.Target;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs one restore, every step timed: identify the backup, then the target's steps ({@link PostgresRestore},
 * {@link DirectoryRestore}): download while checking the sha256 against the manifest (nothing touches the target
 * before that passes), restore into a new database or folder, verify, and for {@code replace} swap it in with the
 * old data moved aside under a {@code _corrupted_} name. Existing data is never deleted.
 */
@ApplicationScoped
public class RestoreRunner {

    private static final Logger LOG = Logger.getLogger(RestoreRunner.class);

    private final BackupBucket bucket;
    private final Decryption decryption;
    private final Outbox outbox;
    private final RestoreJournal journal;
    private final PostgresRestore postgres;
    private final DirectoryRestore directory;
    private final PointInTimeRestore pointInTime;
    private final MeterRegistry metrics;
    private final String instanceId;
    private final ExecutorService runs;
    private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "restore-progress");
        t.setDaemon(true);
        return t;
    });

    public RestoreRunner(BackupBucket bucket, Decryption decryption, Outbox outbox, RestoreJournal journal,
                         PostgresRestore postgres, DirectoryRestore directory, PointInTimeRestore pointInTime,
                         MeterRegistry metrics, InstanceId instanceId) {
        this.pointInTime = pointInTime;
        this.bucket = bucket;
        this.decryption = decryption;
        this.outbox = outbox;
        this.journal = journal;
        this.postgres = postgres;
        this.directory = directory;
        this.metrics = metrics;
        this.instanceId = instanceId.value();
        AtomicInteger n = new AtomicInteger();
        this.runs = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "restore-run-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    void onStop(@Observes ShutdownEvent event) {
        runs.shutdownNow();
        ticker.shutdownNow();
    }

    void submit(String restoreId, BackupManifest manifest) {
        runs.submit(() -> run(restoreId, manifest));
    }

    void run(String restoreId, BackupManifest chosen) {
        Instant startedAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
        Restore restore;
        Target target;
        try {
            restore = QuarkusTransaction.requiringNew().call(() -> start(restoreId, startedAt));
            target = QuarkusTransaction.requiringNew().call(() -> Target.<Target>findById(restore.target));
            if (target == null) {
                throw new RestoreFailure("identify-backup", "target '" + restore.target + "' was removed");
            }
        } catch (Exception e) {
            journal.fail(restoreId, "start", e.getMessage());
            return;
        }
        AtomicLong downloaded = new AtomicLong();
        ScheduledFuture<?> progress = ticker.scheduleAtFixedRate(() -> journal.heartbeat(restoreId, downloaded.get()), 1, 1,
                TimeUnit.SECONDS);
        try {
            BackupManifest manifest = journal.step(restoreId, "identify-backup", () -> identify(chosen));
            if (restore.recoveryTarget != null) {
                pointInTime.restore(restore, target, manifest, downloaded);
            } else {
                TargetSteps steps = restore.targetKind.equals("postgres") ? postgres : directory;
                steps.restore(restore, target, manifest, downloaded);
            }
            journal.complete(restoreId);
            metrics.timer("lifeboat_restore_duration", "source", restore.source, "kind", restore.targetKind)
                    .record(Duration.between(startedAt, Instant.now()));
        } catch (RestoreFailure f) {
            journal.fail(restoreId, f.step(), f.getMessage());
        } catch (Exception e) {
            LOG.errorf(e, "restore %s failed unexpectedly", restoreId);
            journal.fail(restoreId, "unexpected", e.toString());
        } finally {
            progress.cancel(false);
            journal.heartbeat(restoreId, downloaded.get());
        }
    }

    private Restore start(String restoreId, Instant startedAt) {
        Restore r = Restore.findById(restoreId);
        r.moveTo(RestorePhase.InProgress);
        r.startedAt = startedAt;
        r.heartbeatAt = startedAt;
        r.ownerInstance = instanceId;
        outbox.append(r.actor, new RestoreStarted(r.id, r.source, r.backupId, r.recoveryPointAt, r.target,
                r.mode.name().toLowerCase(), r.reason.name(), r.incidentId, r.drillId, startedAt));
        return r;
    }

    /** The chosen backup's manifest, read again from the bucket: it must still be there and decryptable here. */
    private BackupManifest identify(BackupManifest chosen) throws RestoreFailure {
        BackupManifest manifest;
        try {
            manifest = bucket.manifest(BackupBucket.manifestKeyOf(chosen.objectKey())).orElseThrow(() ->
                    new RestoreFailure("identify-backup", "the manifest of " + chosen.backupId()
                            + " is missing from the bucket: it is not a restorable backup"));
        } catch (UntrustedManifest e) {
            throw new RestoreFailure("identify-backup", e.getMessage());
        }
        var problem = decryption.problem(manifest.encryption());
        if (problem.isPresent()) {
            throw new RestoreFailure("identify-backup", problem.get());
        }
        return manifest;
    }
}

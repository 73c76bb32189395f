package io.lifeboat.restore.restore;

import io.lifeboat.events.restore.CheckResult;
import io.lifeboat.events.restore.RestoreStarted;
import io.lifeboat.events.storage.BackupManifest;
import io.lifeboat.outbox.Outbox;
import io.lifeboat.restore.config.RestoreConfig;
import io.lifeboat.restore.storage.BackupBucket;
import io.lifeboat.restore.storage.Decryption;
import io.lifeboat.restore.target.Target;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs one restore, every step timed: identify the backup, download it while checking its sha256 against the
 * manifest (nothing touches the target before that passes), restore into a new database or folder, verify it,
 * then for {@code replace} swap it in with the old data moved aside under a {@code _corrupted_} name. Existing
 * data is never deleted.
 */
@ApplicationScoped
public class RestoreRunner {

    private static final Logger LOG = Logger.getLogger(RestoreRunner.class);
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMddHHmmss").withZone(ZoneOffset.UTC);

    private final BackupBucket bucket;
    private final Decryption decryption;
    private final RestoreConfig config;
    private final Outbox outbox;
    private final RestoreJournal journal;
    private final MeterRegistry metrics;
    private final String instanceId;
    private final String pgBin;
    private final ExecutorService runs;
    private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "restore-progress");
        t.setDaemon(true);
        return t;
    });

    public RestoreRunner(BackupBucket bucket, Decryption decryption, RestoreConfig config, Outbox outbox,
                         RestoreJournal journal, MeterRegistry metrics, InstanceId instanceId) {
        this.bucket = bucket;
        this.decryption = decryption;
        this.config = config;
        this.outbox = outbox;
        this.journal = journal;
        this.metrics = metrics;
        this.instanceId = instanceId.value();
        this.pgBin = PostgresRestorer.locateBin(config.pgBin());
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
        ScheduledFuture<?> progress = ticker.scheduleAtFixedRate(() -> journal.heartbeat(restoreId, downloaded.get()), 1, 1, TimeUnit.SECONDS);
        try {
            BackupManifest manifest = journal.step(restoreId, "identify-backup", () -> identify(chosen));
            if (restore.targetKind.equals("postgres")) {
                restorePostgres(restore, target, manifest, downloaded);
            } else {
                restoreDirectory(restore, target, manifest, downloaded);
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

    private BackupManifest identify(BackupManifest chosen) throws RestoreFailure {
        BackupManifest manifest = bucket.read(manifestKey(chosen)).orElseThrow(() -> new RestoreFailure("identify-backup",
                "the manifest of " + chosen.backupId() + " is missing from the bucket: it is not a restorable backup"));
        var problem = decryption.problem(manifest.encryption());
        if (problem.isPresent()) {
            throw new RestoreFailure("identify-backup", problem.get());
        }
        return manifest;
    }

    private static String manifestKey(BackupManifest m) {
        return m.objectKey().substring(0, m.objectKey().lastIndexOf('/') + 1) + BackupManifest.MANIFEST;
    }

    private void restorePostgres(Restore restore, Target target, BackupManifest manifest, AtomicLong downloaded)
            throws Exception {
        String password = Secrets.resolve(target.passwordRef);
        PostgresRestorer pg = new PostgresRestorer(target, password, pgBin);
        String database = manifest.database();
        Instant now = Instant.now();
        String restoredAs = restore.mode == RestoreMode.NEW && restore.restoredAs != null ? restore.restoredAs
                : database + "_restore_" + STAMP.format(now);
        int jobs = config.jobs().orElse(1);
        if (pg.exists(restoredAs)) {
            throw new RestoreFailure("restore", "database " + restoredAs + " already exists; choose another restoreAs");
        }
        boolean created = false;
        Path spool = null;
        try {
            if (jobs <= 1) {
                // stream the download into pg_restore; the new database is this restore's own until the checksum,
                // checks and swap have passed, and is dropped if the download turns out damaged
                pg.create(restoredAs);
                created = true;
                journal.record(restore.id, r -> r.restoredAs = restoredAs);
                journal.step(restore.id, "download-and-restore", () -> {
                    try (VerifiedDownload download = new VerifiedDownload(bucket, decryption, manifest, downloaded)) {
                        try {
                            pg.pgRestoreStream(download.plain(), restoredAs);
                        } catch (IOException e) {
                            throw download.explain("download-and-restore", e);
                        }
                        download.verify();
                    }
                    return "streamed into pg_restore (sha256 matches the manifest) as " + restoredAs;
                });
            } else {
                Path spoolDir = Path.of(config.spoolDir().orElse(System.getProperty("java.io.tmpdir")));
                Files.createDirectories(spoolDir);
                Path file = Files.createTempFile(spoolDir, "lifeboat-restore-" + restore.id, ".pgdump");
                spool = file;
                journal.step(restore.id, "download", () -> {
                    try (VerifiedDownload download = new VerifiedDownload(bucket, decryption, manifest, downloaded);
                         OutputStream out = Files.newOutputStream(file)) {
                        try {
                            download.plain().transferTo(out);
                        } catch (IOException e) {
                            throw download.explain("download", e);
                        }
                        download.verify();
                    } catch (IOException e) {
                        throw new RestoreFailure("download", "cannot download " + manifest.objectKey() + ": " + e.getMessage(), e);
                    }
                    return "sha256 matches the manifest";
                });
                pg.create(restoredAs);
                created = true;
                journal.record(restore.id, r -> r.restoredAs = restoredAs);
                journal.step(restore.id, "restore", () -> {
                    pg.pgRestore(file, restoredAs, jobs);
                    return "pg_restore --jobs=" + jobs + " into " + restoredAs;
                });
            }
        } catch (RestoreFailure | RuntimeException e) {
            if (created) {
                pg.dropOwn(restoredAs);
                journal.record(restore.id, r -> r.restoredAs = null);
            }
            throw e;
        } finally {
            if (spool != null) {
                Files.deleteIfExists(spool);
            }
        }
        journal.moveTo(restore.id, RestorePhase.Verifying);
        List<CheckResult> checks = journal.step(restore.id, "verify", () -> {
            try (Connection c = pg.connect(restoredAs)) {
                return Checks.sql(c, manifest, restore.requestedChecks);
            }
        });
        journal.recordChecks(restore.id, checks);
        if (restore.mode == RestoreMode.REPLACE) {
            String movedAside = database + "_corrupted_" + STAMP.format(Instant.now());
            boolean exists = pg.exists(database);
            pause(config.pauseBeforeSwap());
            journal.step(restore.id, "swap", () -> {
                journal.record(restore.id, r -> {
                    r.swapState = "swapping";
                    r.movedAsideAs = exists ? movedAside : null;
                });
                int terminated = pg.swap(database, restoredAs, movedAside, exists);
                journal.record(restore.id, r -> {
                    r.swapState = "swapped";
                    r.restoredAs = database;
                });
                pause(config.pauseAfterSwap());
                return exists ? "terminated " + terminated + " connections to " + database + "; renamed it to " + movedAside
                        + " and " + restoredAs + " to " + database
                        : database + " did not exist (lost); renamed " + restoredAs + " to " + database;
            });
        }
    }

    private void restoreDirectory(Restore restore, Target target, BackupManifest manifest, AtomicLong downloaded)
            throws Exception {
        Path path = Path.of(target.path);
        Path parent = path.getParent();
        if (parent == null || !Files.isDirectory(parent)) {
            throw new RestoreFailure("extract", "the parent folder of target path " + path + " does not exist");
        }
        Path scratch = parent.resolve("." + path.getFileName() + ".lifeboat-restore-" + restore.id);
        DirectoryRestorer.Extracted extracted;
        try {
            extracted = journal.step(restore.id, "download-and-extract", () -> {
                try (VerifiedDownload download = new VerifiedDownload(bucket, decryption, manifest, downloaded)) {
                    DirectoryRestorer.Extracted result;
                    try {
                        result = DirectoryRestorer.extract(download.plain(), scratch);
                    } catch (IOException e) {
                        throw download.explain("download-and-extract", e);
                    }
                    download.verify();
                    return result;
                } catch (IOException e) {
                    throw new RestoreFailure("download-and-extract", "cannot restore " + manifest.objectKey() + ": " + e.getMessage(), e);
                }
            });
        } catch (RestoreFailure | RuntimeException e) {
            DirectoryRestorer.deleteOwn(scratch);
            throw e;
        }
        journal.moveTo(restore.id, RestorePhase.Verifying);
        List<CheckResult> checks = journal.step(restore.id, "verify", () -> Checks.directory(extracted, manifest, restore.requestedChecks));
        journal.recordChecks(restore.id, checks);
        if (restore.mode == RestoreMode.NEW) {
            Path into = restore.restoredAs != null ? parent.resolve(restore.restoredAs)
                    : path.resolveSibling(path.getFileName() + "_restore_" + STAMP.format(Instant.now()));
            journal.step(restore.id, "move-into-place", () -> {
                DirectoryRestorer.rename(scratch, into);
                journal.record(restore.id, r -> r.restoredAs = into.toString());
                return "restored into " + into;
            });
            return;
        }
        boolean exists = Files.exists(path, LinkOption.NOFOLLOW_LINKS);
        Path aside = DirectoryRestorer.moveAsideName(path, Instant.now());
        pause(config.pauseBeforeSwap());
        journal.step(restore.id, "swap", () -> {
            journal.record(restore.id, r -> {
                r.swapState = "swapping";
                r.movedAsideAs = exists ? aside.toString() : null;
            });
            if (exists) {
                DirectoryRestorer.rename(path, aside);
            }
            DirectoryRestorer.rename(scratch, path);
            journal.record(restore.id, r -> {
                r.swapState = "swapped";
                r.restoredAs = path.toString();
            });
            pause(config.pauseAfterSwap());
            return exists ? "moved " + path + " aside to " + aside + "; restored data renamed into place"
                    : path + " did not exist; restored data renamed into place";
        });
    }

    private static void pause(java.util.Optional<Duration> pause) {
        if (pause.isPresent()) {
            try {
                Thread.sleep(pause.get().toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}

package io.lifeboat.restore.restore;

import io.lifeboat.bucket.BackupBucket;
import io.lifeboat.bucket.wal.Lsn;
import io.lifeboat.bucket.wal.RecoveryWindow;
import io.lifeboat.bucket.wal.WalArchive;
import io.lifeboat.events.restore.CheckResult;
import io.lifeboat.events.storage.BackupManifest;
import io.lifeboat.postgres.ClientBinaries;
import io.lifeboat.postgres.DatabaseRoles;
import io.lifeboat.restore.config.RestoreConfig;
import io.lifeboat.restore.storage.BackupDownloads;
import io.lifeboat.restore.storage.Decryption;
import io.lifeboat.restore.target.Target;
import jakarta.enterprise.context.ApplicationScoped;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

/**
 * A point-in-time restore of a continuous source: the newest base backup before the instant and the WAL after it
 * are fetched and checked, replayed in a {@link RecoveryServer} of the restore's own up to the instant, and the
 * source's database is then brought into the target through the same verified path as any restore (a new
 * database, its row counts compared exactly with the recovered ones, and for {@code replace} the atomic swap with
 * the old database set aside). The recovery server and its folder are the restore's own and are removed after.
 */
@ApplicationScoped
class PointInTimeRestore {

    private final BackupBucket bucket;
    private final WalArchive archive;
    private final Decryption decryption;
    private final BackupDownloads downloads;
    private final RestoreConfig config;
    private final RestoreJournal journal;
    private final DatabaseSwap swap;
    private final PostgresRestore postgres;
    private final Path binDir;

    PointInTimeRestore(BackupBucket bucket, WalArchive archive, Decryption decryption, BackupDownloads downloads, RestoreConfig config,
                       RestoreJournal journal, DatabaseSwap swap, PostgresRestore postgres) {
        this.downloads = downloads;
        this.bucket = bucket;
        this.archive = archive;
        this.decryption = decryption;
        this.config = config;
        this.journal = journal;
        this.swap = swap;
        this.postgres = postgres;
        this.binDir = ClientBinaries.directory(config.pgBin(), "postgres").orElse(Path.of("/usr/lib/postgresql/15/bin"));
    }

    void restore(Restore restore, Target target, BackupManifest base, AtomicLong downloaded) throws Exception {
        RecoveryServer.Target recoveryTarget = switch (restore.recoveryTarget) {
            case "time" -> RecoveryServer.Target.time(restore.recoveryTargetAt);
            case "immediate" -> RecoveryServer.Target.immediate();
            default -> RecoveryServer.Target.latest();
        };
        AtomicReference<RecoveryWindow.Plan> plan = new AtomicReference<>();
        journal.step(restore.id, "plan-recovery", () -> {
            RecoveryWindow window = RecoveryWindow.compute(archive, restore.source, bucket.manifests(restore.source));
            RecoveryWindow.Plan p = (recoveryTarget.kind().equals("immediate") ? window.planFor(base.backupId())
                    : window.plan(recoveryTarget.at())).orElseThrow(() -> new RestoreFailure("plan-recovery",
                    "the bucket no longer reaches " + (recoveryTarget.at() == null ? "that point" : recoveryTarget.at())
                            + "; the window of '" + restore.source + "' is " + window.describe()));
            plan.set(p);
            return "base backup " + p.base().backupId() + " (consistent at " + p.base().recoveryPointAt() + ") and up to "
                    + p.segments().size() + " WAL segment(s) reaching " + p.range().to();
        });
        BackupManifest chosen = plan.get().base();
        journal.record(restore.id, r -> r.backupId = chosen.backupId());
        Path folder = Files.createTempDirectory(Path.of(config.spoolDir().orElse(System.getProperty("java.io.tmpdir"))),
                "lifeboat-recovery-" + restore.id + "-");
        try (RecoveryServer server = new RecoveryServer(folder, binDir, chosen.physical().superuser())) {
            journal.step(restore.id, "download-base", () -> {
                Files.createDirectories(server.dataDirectory());
                try (VerifiedDownload download = new VerifiedDownload(downloads, decryption, chosen, downloaded)) {
                    DirectoryRestorer.Extracted extracted;
                    try {
                        extracted = DirectoryRestorer.extract(download.plain(), server.dataDirectory());
                    } catch (IOException e) {
                        throw download.explain("download-base", e);
                    }
                    download.verify();
                    return extracted.files() + " files of base backup " + chosen.backupId() + " (sha256 matches the manifest)";
                }
            });
            AtomicReference<WalDownload.Fetched> fetched = new AtomicReference<>();
            journal.step(restore.id, "download-wal", () -> {
                WalDownload.Fetched f = WalDownload.fetch(archive, decryption, plan.get(), recoveryTarget.at(),
                        folder.resolve("wal"), downloaded);
                fetched.set(f);
                return f.segments() + " WAL segment(s), " + f.storedBytes() + " bytes stored, each checked against its "
                        + "sha256; they reach " + f.coveredUntil();
            });
            if (recoveryTarget.at() != null && (fetched.get().coveredUntil() == null || fetched.get().coveredUntil().isBefore(recoveryTarget.at()))) {
                throw new RestoreFailure("download-wal", "the WAL in the bucket reaches " + fetched.get().coveredUntil()
                        + ", not " + recoveryTarget.at() + "; the target was not touched");
            }
            RecoveryServer.Target stopAt = recoveryTarget;
            if (recoveryTarget.kind().equals("time")) {
                // stop right after the last commit at or before the instant, found in the fetched WAL; when no
                // transaction committed by then after the base backup ended (PostgreSQL cannot stop before its
                // consistency point), the consistency point is that state
                long consistent = Lsn.parse(chosen.physical().stopLsn());
                var last = CommitLocator.lastCommitAtOrBefore(binDir, folder.resolve("wal"), fetched.get().names(), recoveryTarget.at());
                stopAt = last.filter(found -> found.lsn() >= consistent).map(found -> recoveryTarget.atPosition(found.lsn()))
                        .orElse(RecoveryServer.Target.immediate());
            }
            RecoveryServer.Target stop = stopAt;
            journal.step(restore.id, "recover", () -> describe(server.recover(folder.resolve("wal"), stop,
                    config.recoveryTimeout()), recoveryTarget));
            bringIntoTarget(restore, target, chosen, server);
        } finally {
            deleteOwnFolder(folder);
        }
    }

    private static String describe(RecoveryServer.Outcome outcome, RecoveryServer.Target target) throws RestoreFailure {
        if (target.kind().equals("time") && outcome.lastTransactionAt() != null && outcome.lastTransactionAt().isAfter(target.at())) {
            throw new RestoreFailure("recover", "recovery replayed a transaction committed at " + outcome.lastTransactionAt()
                    + ", after the target " + target.at());
        }
        String last = outcome.lastTransactionAt() == null ? "no transaction replayed" : "last transaction replayed committed at "
                + outcome.lastTransactionAt();
        return switch (target.kind()) {
            case "time" -> "recovered to " + target.at() + ": " + last + "; " + (outcome.replayedToEnd()
                    ? "no transaction after the target is stored" : outcome.stopped());
            case "immediate" -> "recovered to the base backup's consistency point; " + last;
            default -> "recovered to the end of the stored WAL; " + last;
        };
    }

    /** The recovered database into a new database of the target, verified, and swapped in for replace. */
    private void bringIntoTarget(Restore restore, Target target, BackupManifest base, RecoveryServer server) throws Exception {
        TargetDatabase pg = postgres.server(target);
        String source = base.database();
        if (!server.databases().contains(source)) {
            throw new RestoreFailure("recover", "the cluster recovered to that point has no database " + source + " (it has "
                    + server.databases() + "): it was dropped before then; restore to an instant before the drop "
                    + "(lifeboat window " + restore.source + "; restore --at)");
        }
        String restoredAs = restore.mode == RestoreMode.NEW && restore.restoredAs != null ? restore.restoredAs
                : PostgresRestore.defaultName(target);
        if (pg.exists(restoredAs)) {
            throw new RestoreFailure("restore", "database " + restoredAs + " already exists; choose another restoreAs");
        }
        List<String> created;
        try (Connection recovered = server.connect(source)) {
            String globals = run(server.clientCommand("pg_dumpall", "--globals-only", "--no-role-passwords"));
            created = pg.createMissingRoles(DatabaseRoles.globalsFor(globals, DatabaseRoles.neededBy(recovered)));
        }
        if (!created.isEmpty()) {
            journal.step(restore.id, "create-roles", () -> "created the roles the database needs: " + String.join(", ", created)
                    + " (no passwords: set them before the application connects)");
        }
        pg.create(restoredAs, restore.id);
        journal.record(restore.id, r -> r.restoredAs = restoredAs);
        try {
            journal.step(restore.id, "restore", () -> {
                Process dump = new ProcessBuilder(server.clientCommand("pg_dump", "-Fc", "-Z0", "-d", source))
                        .redirectError(ProcessBuilder.Redirect.DISCARD).start();
                pg.pgRestoreStream(dump.getInputStream(), restoredAs);
                if (dump.waitFor() != 0) {
                    throw new RestoreFailure("restore", "pg_dump of the recovered " + source + " exited " + dump.exitValue());
                }
                return "database " + source + " as recovered, into " + restoredAs;
            });
        } catch (RestoreFailure | RuntimeException e) {
            pg.dropOwn(restoredAs, restore.id);
            journal.record(restore.id, r -> r.restoredAs = null);
            throw e;
        }
        journal.moveTo(restore.id, RestorePhase.Verifying);
        List<CheckResult> checks = journal.step(restore.id, "verify", () -> {
            try (Connection recovered = server.connect(source); Connection restored = pg.connect(restoredAs)) {
                List<CheckResult> results = new ArrayList<>(Checks.sameRows(recovered, restored));
                results.addAll(Checks.sql(restored, base, restore.requestedChecks));
                return results;
            }
        });
        journal.recordChecks(restore.id, checks);
        if (restore.mode == RestoreMode.REPLACE) {
            swap.swap(restore, pg, target.database, restoredAs);
        }
    }

    private static String run(List<String> command) throws IOException, RestoreFailure {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (p.waitFor() != 0) {
                throw new RestoreFailure("restore", command.get(0) + " failed: " + out.strip());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RestoreFailure("restore", "interrupted");
        }
        return out;
    }

    /** The recovery folder is this restore's own scratch space (a copy of the base backup and WAL): removed after. */
    private static void deleteOwnFolder(Path folder) throws IOException {
        if (!Files.exists(folder)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(folder)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}

package io.lifeboat.restore.restore;

import io.lifeboat.bucket.BackupBucket;
import io.lifeboat.events.restore.CheckResult;
import io.lifeboat.events.storage.BackupManifest;
import io.lifeboat.restore.storage.BackupDownloads;
import io.lifeboat.restore.storage.Decryption;
import io.lifeboat.restore.target.Target;
import jakarta.enterprise.context.ApplicationScoped;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A directory restore: the archive is extracted into a scratch folder beside the target while its checksum is
 * verified, then checked, then renamed into a new folder or swapped in ({@link DirectorySwap}).
 */
@ApplicationScoped
class DirectoryRestore implements TargetSteps {

    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMddHHmmss").withZone(ZoneOffset.UTC);

    private final BackupBucket bucket;
    private final Decryption decryption;
    private final BackupDownloads downloads;
    private final RestoreJournal journal;
    private final DirectorySwap swap;

    DirectoryRestore(BackupBucket bucket, Decryption decryption, BackupDownloads downloads, RestoreJournal journal, DirectorySwap swap) {
        this.downloads = downloads;
        this.bucket = bucket;
        this.decryption = decryption;
        this.journal = journal;
        this.swap = swap;
    }

    /** Where a {@code new} restore goes when no name was asked for: a dated sibling of the target folder. */
    static Path defaultFolder(Path target) {
        return target.resolveSibling(target.getFileName() + "_restore_" + STAMP.format(Instant.now()));
    }

    /** Where a {@code new} restore named {@code restoreAs} goes: beside the target folder. */
    static Path named(Path target, String restoreAs) {
        return target.resolveSibling(restoreAs);
    }

    /** Where a restore extracts before anything is renamed: a hidden sibling of the target. */
    static Path scratchOf(Path target, String restoreId) {
        return target.resolveSibling("." + target.getFileName() + ".lifeboat-restore-" + restoreId);
    }

    @Override
    public void restore(Restore restore, Target target, BackupManifest manifest, AtomicLong downloaded) throws Exception {
        Path path = Path.of(target.path);
        Path parent = path.getParent();
        if (parent == null || !Files.isDirectory(parent)) {
            throw new RestoreFailure("extract", "the parent folder of target path " + path + " does not exist");
        }
        Path scratch = scratchOf(path, restore.id);
        try {
            DirectoryRestorer.createOwn(scratch, restore.id);
        } catch (IOException e) {
            throw new RestoreFailure("extract", "cannot create the extraction folder " + scratch + ": " + e.getMessage(), e);
        }
        DirectoryRestorer.Extracted extracted;
        try {
            extracted = journal.step(restore.id, "download-and-extract", () -> {
                try (ArchiveDownload download = ArchiveDownload.open(downloads, decryption, manifest, downloaded)) {
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
            DirectoryRestorer.deleteOwn(scratch, restore.id);
            throw e;
        }
        journal.moveTo(restore.id, RestorePhase.Verifying);
        List<CheckResult> checks = journal.step(restore.id, "verify", () -> Checks.directory(extracted, manifest, restore.requestedChecks));
        journal.recordChecks(restore.id, checks);
        if (restore.mode == RestoreMode.REPLACE) {
            swap.swap(restore, path, scratch);
            return;
        }
        Path into = restore.restoredAs != null ? Path.of(restore.restoredAs) : defaultFolder(path);
        journal.step(restore.id, "move-into-place", () -> {
            DirectoryRestorer.rename(scratch, into);
            DirectoryRestorer.release(scratch);
            journal.record(restore.id, r -> r.restoredAs = into.toString());
            return "restored into " + into;
        });
    }
}

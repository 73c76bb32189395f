package io.lifeboat.restore.restore;

import io.lifeboat.restore.config.RestoreConfig;
import jakarta.enterprise.context.ApplicationScoped;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Instant;

/**
 * The replace step of a directory restore: the target folder is renamed aside ({@code <path>_corrupted_<date>})
 * and the verified extraction renamed into its place. Two renames: the journal's "swapping" state lets recovery
 * move the old data back if a crash falls between them.
 */
@ApplicationScoped
class DirectorySwap {

    private final RestoreJournal journal;
    private final RestoreConfig config;

    DirectorySwap(RestoreJournal journal, RestoreConfig config) {
        this.journal = journal;
        this.config = config;
    }

    void swap(Restore restore, Path path, Path scratch) throws Exception {
        boolean exists = Files.exists(path, LinkOption.NOFOLLOW_LINKS);
        Path aside = DirectoryRestorer.moveAsideName(path, Instant.now());
        FaultInjection.pause(config.pauseBeforeSwap());
        journal.step(restore.id, "swap", () -> {
            journal.record(restore.id, r -> {
                r.swapState = "swapping";
                r.movedAsideAs = exists ? aside.toString() : null;
            });
            if (exists) {
                DirectoryRestorer.rename(path, aside);
            }
            DirectoryRestorer.rename(scratch, path);
            DirectoryRestorer.release(scratch);
            journal.record(restore.id, r -> {
                r.swapState = "swapped";
                r.restoredAs = path.toString();
            });
            FaultInjection.pause(config.pauseAfterSwap());
            return exists ? "moved " + path + " aside to " + aside + "; restored data renamed into place"
                    : path + " did not exist; restored data renamed into place";
        });
    }
}

package io.lifeboat.restore.restore;

import io.lifeboat.restore.config.RestoreConfig;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * The replace step of a postgres restore: the verified copy takes the database's name and the old database is
 * renamed {@code <db>_corrupted_<timestamp>}, in one transaction. The journal records "swapping" before and
 * "swapped" after, so recovery after a crash can say which side of the swap the target is on.
 */
@ApplicationScoped
class DatabaseSwap {

    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMddHHmmss").withZone(ZoneOffset.UTC);

    private final RestoreJournal journal;
    private final RestoreConfig config;

    DatabaseSwap(RestoreJournal journal, RestoreConfig config) {
        this.journal = journal;
        this.config = config;
    }

    void swap(Restore restore, TargetDatabase pg, String database, String restoredAs) throws Exception {
        String movedAside = database + "_corrupted_" + STAMP.format(Instant.now());
        boolean exists = pg.exists(database);
        FaultInjection.pause(config.pauseBeforeSwap());
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
            FaultInjection.pause(config.pauseAfterSwap());
            return exists ? "terminated " + terminated + " connections to " + database + "; renamed it to " + movedAside
                    + " and " + restoredAs + " to " + database
                    : database + " did not exist (lost); renamed " + restoredAs + " to " + database;
        });
    }
}

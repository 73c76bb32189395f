package io.lifeboat.restore.restore;

import io.lifeboat.restore.config.RestoreConfig;
import io.lifeboat.restore.target.Target;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * A crash never leaves a restore running forever, nor a target half-swapped. At start this instance fails the
 * restores it owned; a directory caught between its two renames gets its old data back (the database swap is
 * one transaction, so it is always whole). The restore's own unfinished copy is removed; the error says what the
 * target holds.
 */
@ApplicationScoped
public class RestoreRecovery {

    private static final Logger LOG = Logger.getLogger(RestoreRecovery.class);

    private final RestoreJournal journal;
    private final RestoreConfig config;
    private final PostgresRestore postgres;
    private final String instanceId;

    public RestoreRecovery(RestoreJournal journal, RestoreConfig config, PostgresRestore postgres, InstanceId instanceId) {
        this.journal = journal;
        this.config = config;
        this.postgres = postgres;
        this.instanceId = instanceId.value();
    }

    void onStart(@Observes StartupEvent event) {
        failInterrupted();
    }

    public void failInterrupted() {
        List<Restore> interrupted = QuarkusTransaction.requiringNew().call(() -> Restore.list(
                "(phase IN ?1 AND ownerInstance = ?2) OR (phase = ?3 AND requestedAt < ?4)",
                List.of(RestorePhase.InProgress, RestorePhase.Verifying), instanceId, RestorePhase.New,
                Instant.now().minusSeconds(60)));
        for (Restore r : interrupted) {
            String outcome = repair(r);
            journal.fail(r.id, "interrupted", "interrupted by restart of restore-service instance " + instanceId + "; " + outcome);
        }
    }

    @Scheduled(every = "30s", delayed = "30s")
    void failStale() {
        Instant cutoff = Instant.now().minus(config.heartbeatTimeout());
        for (Restore r : QuarkusTransaction.requiringNew().call(() -> Restore.<Restore>list(
                "phase IN ?1 AND heartbeatAt < ?2", List.of(RestorePhase.InProgress, RestorePhase.Verifying), cutoff))) {
            String outcome = repair(r);
            journal.fail(r.id, "interrupted", "no heartbeat from instance " + r.ownerInstance + " since " + r.heartbeatAt + "; " + outcome);
        }
    }

    /** Puts a target back together and removes the restore's own partial copy; says what the target holds now. */
    String repair(Restore r) {
        Target target = QuarkusTransaction.requiringNew().call(() -> Target.<Target>findById(r.target));
        if (target == null) {
            return "its target is no longer registered";
        }
        return "directory".equals(r.targetKind) ? repairDirectory(r, target) : repairPostgres(r, target);
    }

    /**
     * The database swap is one transaction, so the server says which side of it the crash fell on: while the
     * restore's own database still exists under its scratch name, the swap did not happen. A copy that pg_restore
     * had not finished is dropped (it is this restore's own, never the target's data); a finished one is kept and
     * named, since it may be the data someone needs.
     */
    private String repairPostgres(Restore r, Target target) {
        String database = r.restoredAs;
        try {
            TargetDatabase pg = postgres.server(target);
            boolean swapped = "swapped".equals(r.swapState)
                    || ("swapping".equals(r.swapState) && database != null && !pg.exists(database));
            if (swapped) {
                return "the target holds the restored data" + (r.movedAsideAs == null ? "" : "; the old data is in database " + r.movedAsideAs);
            }
            if (database == null || !pg.exists(database)) {
                return "the target holds its old data";
            }
            if (r.phase == RestorePhase.InProgress) {
                return pg.dropOwn(database, r.id)
                        ? "the target holds its old data; the unfinished copy " + database + " was dropped"
                        : "the target holds its old data; database " + database + " does not carry this restore's "
                        + "ownership mark, so it was left alone";
            }
            return "the target holds its old data; the restored copy is kept as database " + database;
        } catch (Exception e) {
            LOG.warnf("cannot inspect the target of restore %s: %s", r.id, e.getMessage());
            return "the target could not be inspected (" + e.getMessage() + "); the database swap is one transaction, so it"
                    + " holds either its old data or the restored data, never a mix";
        }
    }

    private String repairDirectory(Restore r, Target target) {
        Path path = Path.of(target.path);
        Path scratch = DirectoryRestore.scratchOf(path, r.id);
        String outcome;
        if ("swapping".equals(r.swapState) && r.movedAsideAs != null && !Files.exists(path, LinkOption.NOFOLLOW_LINKS)
                && Files.exists(Path.of(r.movedAsideAs), LinkOption.NOFOLLOW_LINKS)) {
            try {
                DirectoryRestorer.rename(Path.of(r.movedAsideAs), path);
                outcome = "the old data was moved back into " + path;
            } catch (Exception e) {
                LOG.errorf(e, "cannot move %s back to %s", r.movedAsideAs, path);
                return "the old data is at " + r.movedAsideAs + " (move it back by hand: " + e.getMessage() + ")";
            }
        } else if ("swapped".equals(r.swapState)) {
            outcome = "the target holds the restored data";
        } else {
            outcome = "the target holds its old data";
        }
        DirectoryRestorer.deleteOwn(scratch, r.id);
        return outcome;
    }
}

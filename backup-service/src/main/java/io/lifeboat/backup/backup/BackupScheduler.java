package io.lifeboat.backup.backup;

import io.lifeboat.http.ApiException;
import io.lifeboat.backup.source.Schedules;
import io.lifeboat.backup.source.Source;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Starts due backups. Each due slot is claimed with a compare-and-set on {@code next_run_at}, so with several
 * instances against one database a scheduled backup runs exactly once; an instance claims only as many as it can
 * start now, leaving the rest to the others.
 */
@ApplicationScoped
public class BackupScheduler {

    private static final Logger LOG = Logger.getLogger(BackupScheduler.class);

    private final BackupService backups;
    private final BackupRunner runner;

    public BackupScheduler(BackupService backups, BackupRunner runner) {
        this.backups = backups;
        this.runner = runner;
    }

    @Scheduled(every = "${lifeboat.backup.scheduler-every:30s}", delayed = "5s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void runDue() {
        runDue(Instant.now());
    }

    /** Claims and starts every source due at {@code now}; returns the sources this call claimed. */
    public List<String> runDue(Instant now) {
        List<Source> due = QuarkusTransaction.requiringNew().call(() -> Source.list("nextRunAt <= ?1 ORDER BY nextRunAt", now));
        List<String> claimed = new ArrayList<>();
        for (Source s : due) {
            if (runner.freeSlots() == 0) {
                break; // another instance, or this one's next tick, takes the rest
            }
            if (!claim(s, now)) {
                continue;
            }
            claimed.add(s.name);
            try {
                backups.request(s.name, "schedule", "schedule:" + s.schedule);
            } catch (ApiException e) {
                LOG.warnf("scheduled backup of %s skipped: %s", s.name, e.getMessage());
            }
        }
        return claimed;
    }

    private boolean claim(Source s, Instant now) {
        Instant next = Schedules.nextAfter(s.schedule, now);
        int claimed = QuarkusTransaction.requiringNew().call(() -> Source.update(
                "nextRunAt = ?1 WHERE name = ?2 AND nextRunAt = ?3", next, s.name, s.nextRunAt));
        return claimed == 1;
    }
}

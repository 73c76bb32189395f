package io.lifeboat.backup.backup;

import io.lifeboat.backup.rest.ApiException;
import io.lifeboat.backup.source.Schedules;
import io.lifeboat.backup.source.Source;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.util.List;

/**
 * Starts due backups. Each due slot is claimed with a compare-and-set on {@code next_run_at}, so with several
 * instances against one database a scheduled backup runs exactly once.
 */
@ApplicationScoped
public class BackupScheduler {

    private static final Logger LOG = Logger.getLogger(BackupScheduler.class);

    private final BackupService backups;

    public BackupScheduler(BackupService backups) {
        this.backups = backups;
    }

    @Scheduled(every = "${lifeboat.backup.scheduler-every:30s}", delayed = "5s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void runDue() {
        runDue(Instant.now());
    }

    /** Claims and starts every source due at {@code now}; returns the sources this call claimed. */
    public List<String> runDue(Instant now) {
        List<Source> due = QuarkusTransaction.requiringNew().call(() -> Source.list("nextRunAt <= ?1", now));
        return due.stream().filter(s -> claim(s, now)).peek(s -> {
            try {
                backups.request(s.name, "schedule", "schedule:" + s.schedule);
            } catch (ApiException e) {
                LOG.warnf("scheduled backup of %s skipped: %s", s.name, e.getMessage());
            }
        }).map(s -> s.name).toList();
    }

    private boolean claim(Source s, Instant now) {
        Instant next = Schedules.nextAfter(s.schedule, now);
        int claimed = QuarkusTransaction.requiringNew().call(() -> Source.update(
                "nextRunAt = ?1 WHERE name = ?2 AND nextRunAt = ?3", next, s.name, s.nextRunAt));
        return claimed == 1;
    }
}

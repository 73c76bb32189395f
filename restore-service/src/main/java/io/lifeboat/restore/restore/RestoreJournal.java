package io.lifeboat.restore.restore;

import io.lifeboat.events.restore.CheckResult;
import io.lifeboat.events.restore.RestoreCompleted;
import io.lifeboat.events.restore.RestoreFailed;
import io.lifeboat.events.restore.RestoreStepCompleted;
import io.lifeboat.http.FinalPhaseWait;
import io.lifeboat.outbox.Outbox;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

/**
 * The record of a running restore: timed steps, phases, checks, progress, and the events that go with each,
 * every change in its own transaction so a crash leaves an accurate account behind.
 */
@ApplicationScoped
public class RestoreJournal {

    private static final Logger LOG = Logger.getLogger(RestoreJournal.class);

    private final Outbox outbox;
    private final FinalPhaseWait finalPhases;

    public RestoreJournal(Outbox outbox, FinalPhaseWait finalPhases) {
        this.outbox = outbox;
        this.finalPhases = finalPhases;
    }

    @FunctionalInterface
    interface StepAction<T> {
        T run() throws Exception;
    }

    /** Runs and times a step; records it and emits {@code restore.step.completed.v1} when it succeeds. */
    <T> T step(String restoreId, String name, StepAction<T> action) throws Exception {
        Instant start = Instant.now().truncatedTo(ChronoUnit.MICROS);
        T result;
        try {
            result = action.run();
        } catch (RestoreFailure f) {
            throw f;
        } catch (Exception e) {
            throw new RestoreFailure(name, e.getMessage() == null ? e.toString() : e.getMessage(), e);
        }
        Instant end = Instant.now().truncatedTo(ChronoUnit.MICROS);
        double seconds = Duration.between(start, end).toNanos() / 1e9;
        String detail = result instanceof String s ? s : null;
        QuarkusTransaction.requiringNew().run(() -> {
            Restore r = Restore.findById(restoreId);
            List<StepRecord> steps = new java.util.ArrayList<>(r.steps);
            steps.add(new StepRecord(name, start, end, Math.round(seconds * 1000) / 1000.0, detail));
            r.steps = steps;
            outbox.append(r.actor, new RestoreStepCompleted(r.id, r.source, name, start, end, seconds));
        });
        return result;
    }

    void record(String restoreId, java.util.function.Consumer<Restore> change) {
        QuarkusTransaction.requiringNew().run(() -> change.accept(Restore.findById(restoreId)));
    }

    void recordChecks(String restoreId, List<CheckResult> checks) throws RestoreFailure {
        record(restoreId, r -> r.checks = checks);
        List<String> failed = checks.stream().filter(c -> !c.passed()).map(c -> c.name() + ": " + c.detail()).toList();
        if (!failed.isEmpty()) {
            throw new RestoreFailure("verify", "checks failed: " + String.join("; ", failed));
        }
    }

    void moveTo(String restoreId, RestorePhase phase) {
        record(restoreId, r -> r.moveTo(phase));
    }

    void complete(String restoreId) {
        QuarkusTransaction.requiringNew().run(() -> {
            Restore r = Restore.findById(restoreId);
            r.moveTo(RestorePhase.Completed);
            r.completedAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
            r.bytesDone = r.bytesTotal == null ? r.bytesDone : r.bytesTotal;
            double seconds = Duration.between(r.startedAt, r.completedAt).toNanos() / 1e9;
            outbox.append(r.actor, new RestoreCompleted(r.id, r.source, r.backupId, r.recoveryPointAt, r.target,
                    r.mode.name().toLowerCase(), r.reason.name(), r.incidentId, r.drillId, r.startedAt, r.completedAt, seconds,
                    r.bytesTotal == null ? 0 : r.bytesTotal, r.checks));
            LOG.infof("restore %s completed in %.1f s (%s into %s)", r.id, seconds, r.backupId, r.restoredAs);
        });
        finalPhases.reached();
    }

    /** Marks the restore Failed with the step and reason, and emits {@code restore.failed.v1}. */
    void fail(String restoreId, String step, String reason) {
        LOG.warnf("restore %s failed at %s: %s", restoreId, step, reason);
        try {
            QuarkusTransaction.requiringNew().run(() -> {
                Restore r = Restore.findById(restoreId);
                if (r == null || !r.phase.active()) {
                    return;
                }
                r.moveTo(RestorePhase.Failed);
                r.failedStep = step;
                r.error = reason == null ? "unknown" : reason.length() > 4000 ? reason.substring(0, 4000) : reason;
                r.completedAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
                outbox.append(r.actor, new RestoreFailed(r.id, r.source, step, r.error, r.incidentId, r.drillId, r.completedAt));
            });
            finalPhases.reached();
        } catch (RuntimeException e) {
            LOG.errorf(e, "cannot record failure of restore %s", restoreId);
        }
    }

    void heartbeat(String restoreId, long bytes) {
        try {
            QuarkusTransaction.requiringNew().run(() -> Restore.update("bytesDone = ?1, heartbeatAt = ?2 WHERE id = ?3",
                    bytes, Instant.now(), restoreId));
        } catch (RuntimeException e) {
            LOG.debugf("progress update of %s failed: %s", restoreId, e.getMessage());
        }
    }
}

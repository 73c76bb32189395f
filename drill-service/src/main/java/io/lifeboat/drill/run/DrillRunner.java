package io.lifeboat.drill.run;

import io.lifeboat.drill.calendar.Drill;
import io.lifeboat.drill.scenario.Scenario;
import io.lifeboat.drill.scenario.Step;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Runs a drill as the runbook says, every step timed against its budget: identify the backup of each source
 * ({@link DrillPreparation}), restore it into an isolated target, never production ({@link IsolatedRestore}),
 * verify the restored data ({@link DrillVerification}), measure RTO, RPO and throughput ({@link DrillVerdict}),
 * and clean up. Manual steps are skipped in automated runs or wait for an operator's confirmation.
 */
@ApplicationScoped
public class DrillRunner {

    private static final Logger LOG = Logger.getLogger(DrillRunner.class);
    /** Steps that the restore call carries out; the first one runs it, all take their time from its steps. */
    private static final Set<String> RESTORE_STEPS = Set.of("download", "download-from-bucket", "move-aside-corrupted", "restore");

    private final DrillJournal journal;
    private final DrillPreparation preparation;
    private final IsolatedRestore isolatedRestore;
    private final DrillVerification verification;
    private final DrillVerdict verdict;
    private final IsolatedTargets targets;
    private final AccidentSimulation accident;
    private final ExecutorService runs = Executors.newFixedThreadPool(2, r -> {
        Thread t = new Thread(r, "drill-run");
        t.setDaemon(true);
        return t;
    });

    public DrillRunner(DrillJournal journal, DrillPreparation preparation, IsolatedRestore isolatedRestore,
                       DrillVerification verification, DrillVerdict verdict, IsolatedTargets targets,
                       AccidentSimulation accident) {
        this.accident = accident;
        this.journal = journal;
        this.preparation = preparation;
        this.isolatedRestore = isolatedRestore;
        this.verification = verification;
        this.verdict = verdict;
        this.targets = targets;
    }

    void onStop(@Observes ShutdownEvent event) {
        runs.shutdownNow();
    }

    public void submit(String drillId) {
        runs.submit(() -> run(drillId));
    }

    void run(String drillId) {
        Instant start = Instant.now().truncatedTo(ChronoUnit.MICROS);
        Drill found = QuarkusTransaction.requiringNew().call(() -> Drill.<Drill>findById(drillId));
        Scenario scenario = QuarkusTransaction.requiringNew().call(() -> Scenario.<Scenario>findById(found.scenario));
        Drill drill = journal.start(drillId, start, scenario);
        List<Prepared> prepared = new ArrayList<>();
        List<AccidentSimulation.Accident> accidents = new ArrayList<>();
        List<Restored> restored = new ArrayList<>();
        List<String> reasons = new ArrayList<>();
        Instant verifiedAt = null;
        String error = null;
        try {
            targets.checkIsolated();
            for (Step step : scenario.steps) {
                Instant s = Instant.now().truncatedTo(ChronoUnit.MICROS);
                String detail;
                String status = "done";
                double seconds;
                if (step.kind() == Step.StepKind.manual) {
                    if ("wait".equals(drill.manualSteps)) {
                        journal.awaitConfirmation(drillId, step.name());
                        detail = "confirmed by an operator";
                    } else {
                        status = "skipped";
                        detail = "manual step, skipped in an automated drill";
                    }
                    seconds = secondsSince(s);
                } else if (step.name().equals("simulate-accident")) {
                    for (String source : scenario.sourceList()) {
                        accidents.add(accident.stage(source, preparation.definition(source), drillId));
                    }
                    detail = accidents.stream().map(a -> a.source() + ": " + AccidentSimulation.BEFORE + " rows in "
                            + a.table() + ", T = " + a.pointInTime() + ", " + AccidentSimulation.AFTER + " more rows, table dropped at "
                            + a.droppedAt()).reduce((a, b) -> a + "; " + b).orElse("");
                    seconds = secondsSince(s);
                } else if (step.name().equals("identify-latest-backup") || step.name().equals("assess")) {
                    prepareAll(drill, scenario, prepared, accidents, start);
                    detail = describe(drill, prepared);
                    seconds = secondsSince(s);
                } else if (RESTORE_STEPS.contains(step.name())) {
                    if (restored.isEmpty()) {
                        prepareAll(drill, scenario, prepared, accidents, start);
                        for (Prepared p : prepared) {
                            restored.add(isolatedRestore.restore(drillId, p));
                        }
                    }
                    seconds = restored.stream().mapToDouble(r -> r.stepSeconds().getOrDefault(restoreStepOf(step.name()), 0.0)).sum();
                    detail = step.name().equals("move-aside-corrupted") ? "nothing to move aside: the drill restores into an isolated target"
                            : restored.stream().map(r -> r.source() + " → " + r.restoredAs()).reduce((a, b) -> a + ", " + b).orElse("");
                } else if (step.name().equals("verify") || step.name().equals("smoke-tests")) {
                    boolean verify = step.name().equals("verify");
                    List<String> problems = verify ? verification.verify(prepared, restored) : DrillVerification.smoke(restored);
                    reasons.addAll(problems);
                    detail = !problems.isEmpty() ? String.join("; ", problems)
                            : verify ? "restored data matches the prepared state" + DrillVerification.matched(prepared)
                            : "restore checks passed";
                    if (!problems.isEmpty()) status = "failed";
                    seconds = secondsSince(s);
                    if (verify) verifiedAt = Instant.now();
                } else {
                    detail = "no automated action for this step";
                    seconds = secondsSince(s);
                }
                journal.record(drill, scenario, step, status, s, seconds, detail);
            }
        } catch (DrillFailure | RuntimeException e) {
            error = e.getMessage();
            reasons.add(e.getMessage());
            LOG.warnf("drill %s failed: %s", drillId, e.getMessage());
        } finally {
            if (!drill.keepRestored) {
                for (Restored r : restored) {
                    targets.cleanUp(r, prepared.stream().filter(p -> p.source().equals(r.source())).findFirst()
                            .map(Prepared::kind).orElse("postgres"));
                }
            }
        }
        verdict.finish(drill, scenario, start, verifiedAt, prepared, restored, reasons, error);
    }

    /** Identifies the backup of every source of the scenario, once. */
    private void prepareAll(Drill drill, Scenario scenario, List<Prepared> prepared, List<AccidentSimulation.Accident> accidents,
                            Instant start) throws DrillFailure {
        if (!prepared.isEmpty()) {
            return;
        }
        if (!accidents.isEmpty()) {
            for (AccidentSimulation.Accident a : accidents) {
                prepared.add(preparation.prepareAccident(a, start));
            }
            return;
        }
        for (String source : scenario.sourceList()) {
            prepared.add(preparation.prepare(source, drill.freshBackup, start));
        }
    }

    private static String describe(Drill drill, List<Prepared> prepared) {
        List<String> parts = new ArrayList<>();
        for (Prepared p : prepared) {
            if (p.continuous()) {
                parts.add(p.source() + ": restored to " + p.pointInTime() + " from its WAL; "
                        + "RPO measured on " + p.basisDescription() + ", restorable to " + p.rpoBasisPoint() + " when the drill started");
                continue;
            }
            parts.add(drill.freshBackup
                    ? p.source() + ": fresh test backup " + p.backupId() + " (RPO measured on " + p.rpoBasisBackupId()
                    + ", the newest verified backup when the drill started)"
                    : p.source() + ": " + p.backupId() + ", the newest verified backup when the drill started");
        }
        return String.join("; ", parts);
    }

    private static double secondsSince(Instant start) {
        return Duration.between(start, Instant.now()).toNanos() / 1e9;
    }

    private static String restoreStepOf(String drillStep) {
        return switch (drillStep) {
            case "download", "download-from-bucket" -> "download";
            case "restore" -> "restore";
            default -> drillStep;
        };
    }
}

package io.lifeboat.drill.run;

import io.lifeboat.drill.calendar.Drill;
import io.lifeboat.drill.config.DrillConfig;
import io.lifeboat.drill.scenario.Scenario;
import io.lifeboat.drill.scenario.Step;
import io.lifeboat.events.drill.DrillStarted;
import io.lifeboat.events.drill.DrillStepCompleted;
import io.lifeboat.outbox.Outbox;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** The record of a running drill: its start, each timed step with its event, and manual confirmations. */
@ApplicationScoped
class DrillJournal {

    private final Outbox outbox;
    private final DrillConfig config;

    DrillJournal(Outbox outbox, DrillConfig config) {
        this.outbox = outbox;
        this.config = config;
    }

    /** The drill is Running from {@code start}; emits {@code drill.started.v1}. */
    Drill start(String drillId, Instant start, Scenario scenario) {
        return QuarkusTransaction.requiringNew().call(() -> {
            Drill d = Drill.findById(drillId);
            d.phase = "Running";
            d.startedAt = start;
            d.heartbeatAt = start;
            outbox.append(d.actor, new DrillStarted(drillId, scenario.name, scenario.sourceList(), start));
            return d;
        });
    }

    void record(Drill drill, Scenario scenario, Step step, String status, Instant start, double seconds, String detail) {
        Instant end = start.plusNanos((long) (seconds * 1e9));
        QuarkusTransaction.requiringNew().run(() -> {
            Drill d = Drill.findById(drill.id);
            List<DrillStep> steps = new ArrayList<>(d.steps.stream().filter(s -> !s.name().equals(step.name())).toList());
            DrillStep done = DrillStep.pending(step.name(), step.kind().name(), step.budgetSeconds()).finish(status, start, end, seconds, detail);
            steps.add(done);
            d.steps = steps;
            d.heartbeatAt = Instant.now();
            outbox.append(drill.actor, new DrillStepCompleted(drill.id, scenario.name, step.name(), start, end, seconds,
                    step.budgetSeconds(), Boolean.TRUE.equals(done.overBudget())));
        });
    }

    /** Waits (with heartbeats) until an operator confirms the manual step. */
    void awaitConfirmation(String drillId, String step) throws DrillFailure {
        Instant deadline = Instant.now().plus(config.manualStepTimeout());
        while (Instant.now().isBefore(deadline)) {
            boolean done = QuarkusTransaction.requiringNew().call(() -> {
                Drill d = Drill.findById(drillId);
                d.heartbeatAt = Instant.now();
                return d.steps.stream().anyMatch(s -> s.name().equals(step) && "confirmed".equals(s.status()));
            });
            if (done) return;
            Await.sleep(1000);
        }
        throw new DrillFailure("manual step " + step + " was not confirmed within " + config.manualStepTimeout());
    }
}

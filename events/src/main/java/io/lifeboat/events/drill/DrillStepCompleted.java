package io.lifeboat.events.drill;

import io.lifeboat.events.EventPayload;
import java.time.Instant;

/** One runbook step of a drill finished, timed against its budget. */
public record DrillStepCompleted(String drillId, String scenario, String step, Instant startedAt, Instant completedAt, double durationSeconds, long budgetSeconds, boolean overBudget) implements EventPayload {

    @Override
    public String subject() {
        return drillId;
    }
}

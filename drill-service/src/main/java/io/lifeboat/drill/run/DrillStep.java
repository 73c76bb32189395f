package io.lifeboat.drill.run;

import java.time.Instant;

/** One runbook step of a drill: its budget and what it actually took. */
public record DrillStep(String name, String kind, long budgetSeconds, String status, Instant startedAt, Instant completedAt,
                        Double durationSeconds, Boolean overBudget, String detail) {

    public static DrillStep pending(String name, String kind, long budget) {
        return new DrillStep(name, kind, budget, "pending", null, null, null, null, null);
    }

    public DrillStep finish(String status, Instant start, Instant end, double seconds, String detail) {
        return new DrillStep(name, kind, budgetSeconds, status, start, end, Math.round(seconds * 1000) / 1000.0,
                seconds > budgetSeconds, detail);
    }
}

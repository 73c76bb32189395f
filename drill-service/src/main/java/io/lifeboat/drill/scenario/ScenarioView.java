package io.lifeboat.drill.scenario;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

public record ScenarioView(String name, String title, List<String> sources, Duration rtoTarget, Duration rpoTarget,
                           List<Step> steps, Duration totalBudget, Instant updatedAt) {
    public static ScenarioView of(Scenario s) {
        long total = s.steps.stream().mapToLong(Step::budgetSeconds).sum();
        return new ScenarioView(s.name, s.title, s.sourceList(), Duration.ofSeconds(s.rtoTargetSeconds),
                Duration.ofSeconds(s.rpoTargetSeconds), s.steps, Duration.ofSeconds(total), s.updatedAt);
    }
}

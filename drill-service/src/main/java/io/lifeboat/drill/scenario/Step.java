package io.lifeboat.drill.scenario;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Positive;

/** One runbook step: automated (Lifeboat does it) or manual (an operator confirms it), with its time budget. */
public record Step(
        @NotBlank(message = "is required") @Pattern(regexp = "[a-z0-9][a-z0-9-]{0,62}", message = "must be a step name of a-z, 0-9 and '-'") String name,
        @NotNull(message = "is required: automated or manual") StepKind kind,
        @NotNull(message = "is required") @Positive(message = "must be more than zero seconds") Long budgetSeconds) {

    public enum StepKind {
        automated, manual
    }
}

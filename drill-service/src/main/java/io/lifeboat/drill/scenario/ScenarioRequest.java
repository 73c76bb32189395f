package io.lifeboat.drill.scenario;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.Pattern;

import java.time.Duration;
import java.util.List;

/** Body of {@code PUT /scenarios/{name}}; omitted targets default to RTO PT4H and RPO PT24H. */
public record ScenarioRequest(
        @NotBlank(message = "is required") String title,
        @NotEmpty(message = "must name at least one source") List<@Pattern(regexp = "[a-z0-9][a-z0-9-]{0,62}", message = "must be a source name") String> sources,
        Duration rtoTarget,
        Duration rpoTarget,
        @NotEmpty(message = "must list at least one step") List<@Valid Step> steps) {
}

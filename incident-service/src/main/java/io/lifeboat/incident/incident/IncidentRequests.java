package io.lifeboat.incident.incident;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

import java.time.Instant;
import java.time.LocalDate;
import java.util.List;

/** Request bodies of the incident API. */
public final class IncidentRequests {
    private IncidentRequests() {
    }

    public record Declare(
            @NotBlank(message = "is required") @Size(max = 200, message = "must be at most 200 characters") String title,
            @NotNull(message = "is required: SEV1, SEV2 or SEV3") Severity severity,
            @NotNull(message = "is required: database-loss, vector-store-corruption, infrastructure-loss, combined or other") Scenario scenario,
            Instant impactStartedAt,
            Instant detectedAt,
            List<@Pattern(regexp = "[a-z0-9][a-z0-9-]{0,62}", message = "must be a source name") String> sources) {
    }

    public record StatusChange(@NotNull(message = "is required: the new status") IncidentStatus status) {
    }

    public record At(Instant at) {
    }

    public record Note(@NotBlank(message = "is required") @Size(max = 10000) String text) {
    }

    public record Action(@NotBlank(message = "is required") @Size(max = 500) String title,
                         @NotBlank(message = "is required: who owns it") String owner,
                         LocalDate dueDate) {
    }

    public record Postmortem(@NotNull(message = "is required: when the post-mortem meets") Instant at) {
    }
}

package io.lifeboat.restore.restore;

import com.fasterxml.jackson.databind.JsonNode;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

import java.util.List;

/**
 * Body of {@code POST /restores}. {@code backup} is {@code "latest"}, a backup id, or {@code {"at": "<instant>"}}
 * (the newest backup whose recovery point is not after that instant). {@code target} defaults to the source's
 * home target; {@code restoreAs} names the new database or directory in {@code new} mode.
 */
public record RestoreRequest(
        @NotBlank(message = "is required: the name of a backup source")
        @Pattern(regexp = "[a-z0-9][a-z0-9-]{0,62}", message = "must be a source name of a-z, 0-9 and '-'") String source,
        JsonNode backup,
        @Pattern(regexp = "[a-z0-9][a-z0-9-]{0,62}", message = "must be a target name of a-z, 0-9 and '-'") String target,
        RestoreMode mode,
        RestoreReason reason,
        @Size(max = 64) String incidentId,
        @Size(max = 128) String drillId,
        String confirm,
        @Pattern(regexp = "[a-z_][a-z0-9_]{0,62}", message = "must be a lowercase name of a-z, 0-9 and _") String restoreAs,
        List<@Valid CheckSpec> checks) {
}

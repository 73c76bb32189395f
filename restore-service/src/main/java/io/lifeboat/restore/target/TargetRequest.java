package io.lifeboat.restore.target;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;

/** Body of {@code PUT /targets/{name}}. */
public record TargetRequest(
        @NotNull(message = "is required: postgres or directory") TargetKind kind,
        @Pattern(regexp = "[a-z0-9][a-z0-9-]{0,62}", message = "must be a source name of a-z, 0-9 and '-'") String source,
        String host,
        @Min(value = 1, message = "must be a port number (1-65535)") @Max(value = 65535, message = "must be a port number (1-65535)") Integer port,
        @Pattern(regexp = "[A-Za-z0-9_\\-]{1,63}", message = "must be a user name of letters, digits, _ or -") String user,
        @Pattern(regexp = "(env:[A-Za-z_][A-Za-z0-9_]*|file:/.+)", message = "must be env:VARIABLE or file:/absolute/path (the secret itself is never stored)") String passwordRef,
        String path,
        Boolean production) {
}

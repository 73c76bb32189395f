package io.lifeboat.restore.target;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

import java.util.List;

/**
 * Body of {@code PUT /targets/{name}}. A postgres target names its server, the database a replace restore
 * replaces, a user and a password reference; a directory target an absolute path. {@code httpCheckUrls} are the
 * URL prefixes its post-restore HTTP checks may call.
 */
public record TargetRequest(
        @NotNull(message = "is required: postgres or directory") TargetKind kind,
        @Pattern(regexp = "[a-z0-9][a-z0-9-]{0,62}", message = "must be a source name of a-z, 0-9 and '-'") String source,
        String host,
        @Min(value = 1, message = "must be a port number (1-65535)") @Max(value = 65535, message = "must be a port number (1-65535)") Integer port,
        @Pattern(regexp = "[A-Za-z0-9_\\-]{1,63}", message = "must be a database name of letters, digits, _ or -") String database,
        @Pattern(regexp = "[A-Za-z0-9_\\-]{1,63}", message = "must be a user name of letters, digits, _ or -") String user,
        String passwordRef,
        String path,
        Boolean production,
        @Size(max = 20, message = "allows at most 20 URL prefixes")
        List<@Pattern(regexp = "https?://[^\\s]+", message = "must be an http:// or https:// URL prefix") String> httpCheckUrls) {
}

package io.lifeboat.backup.source;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.Size;

import java.time.Duration;
import java.util.List;

/**
 * Body of {@code PUT /sources/{name}}. Postgres sources need host, port, database, user and a passwordRef;
 * directory sources need an absolute path. Omitted schedule, rpoTarget and retention take the defaults
 * (daily at 02:00 UTC, PT24H, keep 7 daily and 4 weekly). A postgres source with {@code continuous: true} takes
 * physical base backups on its schedule and streams its WAL to the bucket in between (RPO of seconds, restore to
 * any instant of the window); its user needs the REPLICATION attribute. A directory source with {@code storage:
 * chunks} stores each chunk of its data once, so a backup uploads only what changed ({@link StorageLayout}); its
 * {@code sqliteFiles} (glob patterns relative to its path) name the SQLite databases copied with SQLite's online
 * backup API (default: files named *.sqlite3, *.sqlite or *.db).
 */
public record SourceRequest(
        @NotNull(message = "is required: postgres or directory") SourceKind kind,
        String host,
        @Min(value = 1, message = "must be a port number (1-65535)") @Max(value = 65535, message = "must be a port number (1-65535)") Integer port,
        @Pattern(regexp = "[A-Za-z0-9_\\-]{1,63}", message = "must be a database name of letters, digits, _ or -") String database,
        @Pattern(regexp = "[A-Za-z0-9_\\-]{1,63}", message = "must be a user name of letters, digits, _ or -") String user,
        String passwordRef,
        @Size(max = 4096) String path,
        String schedule,
        Duration rpoTarget,
        @Valid RetentionRequest retention,
        @Size(max = 4096) String preHook,
        @Size(max = 4096) String postHook,
        Boolean encryption,
        Boolean continuous,
        StorageLayout storage,
        @Size(max = 64, message = "must list at most 64 patterns") List<@Size(max = 256, message = "must be at most 256 characters") String> sqliteFiles,
        List<@Pattern(regexp = "[A-Za-z_][A-Za-z0-9_.]{0,127}", message = "must be a table name") String> rowCountTables) {

    /** Keep the last N and/or daily/weekly generations and/or everything younger than maxAge. */
    public record RetentionRequest(
            @Positive(message = "must be 1 or more (leave it out to keep no last-N generation)") Integer keepLast,
            @Positive(message = "must be 1 or more (leave it out to keep no daily generation)") Integer keepDaily,
            @Positive(message = "must be 1 or more (leave it out to keep no weekly generation)") Integer keepWeekly,
            Duration maxAge) {
    }
}

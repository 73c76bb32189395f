package io.lifeboat.backup.source;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** A source as the API shows it. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SourceView(String name, SourceKind kind, String host, Integer port, String database, String user,
                         String passwordRef, String path, String schedule, Duration rpoTarget, Retention retention,
                         String preHook, String postHook, boolean encryption, boolean continuous, StorageLayout storage, List<String> sqliteFiles,
                         List<String> rowCountTables,
                         Instant nextRunAt, Instant createdAt, Instant updatedAt) {

    public record Retention(Integer keepLast, Integer keepDaily, Integer keepWeekly, Duration maxAge) {
    }

    /** The source as an operator or admin sees it (with its hooks). */
    public static SourceView of(Source s) {
        return of(s, true);
    }

    /** Hooks run shell commands on the backup host: viewers do not see them. */
    public static SourceView of(Source s, boolean showHooks) {
        return new SourceView(s.name, s.kind, s.host, s.port, s.databaseName, s.dbUser, s.passwordRef, s.path,
                s.schedule, Duration.ofSeconds(s.rpoTargetSeconds),
                new Retention(s.keepLast, s.keepDaily, s.keepWeekly,
                        s.maxAgeSeconds == null ? null : Duration.ofSeconds(s.maxAgeSeconds)),
                showHooks ? s.preHook : null, showHooks ? s.postHook : null, s.encryption, s.continuous,
                s.storage, s.sqliteFileList().isEmpty() ? null : s.sqliteFileList(), s.rowCountTableList(), s.nextRunAt, s.createdAt, s.updatedAt);
    }
}

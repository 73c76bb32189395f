package io.lifeboat.backup.source;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;
import java.util.Arrays;
import java.util.List;

/** A named thing to protect. The database password is a reference (env:NAME or file:PATH), never the secret. */
@Entity
@Table(name = "source")
public class Source extends PanacheEntityBase {

    @Id
    public String name;

    @Enumerated(EnumType.STRING)
    public SourceKind kind;

    public String host;
    public Integer port;
    @Column(name = "database_name")
    public String databaseName;
    @Column(name = "db_user")
    public String dbUser;
    @Column(name = "password_ref")
    public String passwordRef;

    public String path;

    public String schedule;
    @Column(name = "rpo_target_seconds")
    public long rpoTargetSeconds;

    @Column(name = "keep_last")
    public Integer keepLast;
    @Column(name = "keep_daily")
    public Integer keepDaily;
    @Column(name = "keep_weekly")
    public Integer keepWeekly;
    @Column(name = "max_age_seconds")
    public Long maxAgeSeconds;

    @Column(name = "pre_hook")
    public String preHook;
    @Column(name = "post_hook")
    public String postHook;

    public boolean encryption;

    /** How backups of a directory source are stored. */
    @Enumerated(EnumType.STRING)
    public StorageLayout storage = StorageLayout.archive;

    /** A postgres source protected continuously: base backups on the schedule, WAL streamed in between. */
    public boolean continuous;

    /** Glob patterns (relative to path) of the SQLite databases a directory backup snapshots (comma separated). */
    @Column(name = "sqlite_files")
    public String sqliteFiles;

    /** Tables whose row counts a backup records in its manifest (comma separated). */
    @Column(name = "row_count_tables")
    public String rowCountTables;

    /** When the scheduler next runs this source; claimed atomically so one instance runs it. */
    @Column(name = "next_run_at")
    public Instant nextRunAt;

    @Column(name = "created_at")
    public Instant createdAt;
    @Column(name = "updated_at")
    public Instant updatedAt;

    /** The declared SQLite file patterns; empty: files named *.sqlite3, *.sqlite or *.db. */
    public List<String> sqliteFileList() {
        if (sqliteFiles == null || sqliteFiles.isBlank()) {
            return List.of();
        }
        return Arrays.stream(sqliteFiles.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    public List<String> rowCountTableList() {
        if (rowCountTables == null || rowCountTables.isBlank()) {
            return List.of();
        }
        return Arrays.stream(rowCountTables.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }
}

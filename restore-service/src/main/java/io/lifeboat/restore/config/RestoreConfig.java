package io.lifeboat.restore.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import io.lifeboat.restore.target.TargetKind;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** How restores run ({@code lifeboat.restore.*}). */
@ConfigMapping(prefix = "lifeboat.restore")
public interface RestoreConfig {

    /** PostgreSQL client tools (pg_restore, psql); default: the newest /usr/lib/postgresql/N/bin. */
    Optional<String> pgBin();

    /**
     * pg_restore --jobs. Default 1: the download streams straight into pg_restore (measured faster on 2 cores than
     * spooling to a file for --jobs=2: bench/RESULTS.md). Above 1 the download is spooled for a parallel restore.
     */
    Optional<Integer> jobs();

    /** Parts of a backup fetched at once (ranged GETs, each hashed on its own thread) while the restore consumes them. */
    @WithDefault("2")
    int downloadConcurrency();

    /** Chunks of a chunked backup fetched and checked at once, ahead of the extraction. */
    @WithDefault("4")
    int chunkConcurrency();

    /** Where a database backup is spooled for pg_restore (deleted afterwards); default java.io.tmpdir. */
    Optional<String> spoolDir();

    /** How long a point-in-time recovery (replaying WAL in the recovery server) may take before it fails. */
    @WithDefault("PT2H")
    Duration recoveryTimeout();

    /** A restore whose heartbeat is older than this is taken as interrupted. */
    @WithDefault("PT2M")
    Duration heartbeatTimeout();

    /** Stable name of this instance; a restart fails its own interrupted restores. */
    Optional<String> instanceId();

    Encryption encryption();

    /**
     * Targets declared in configuration ({@code lifeboat.restore.targets.<name>.kind=postgres ...}), applied at
     * every start (created or updated): a restore-service whose database was lost (runbook scenario 3) comes back
     * knowing where it may restore. Changes made over the API to a declared target last until the next start.
     */
    Map<String, DeclaredTarget> targets();

    /** The fields of {@code PUT /targets/{name}}. */
    interface DeclaredTarget {
        TargetKind kind();

        Optional<String> source();

        Optional<String> host();

        Optional<Integer> port();

        Optional<String> database();

        Optional<String> user();

        Optional<String> passwordRef();

        Optional<String> path();

        @WithDefault("false")
        boolean production();

        Optional<List<String>> httpCheckUrls();
    }

    /**
     * Fault injection for crash tests (off by default): a pause right before and right after the swap of a
     * replace restore, so a test can kill the process at exactly those points.
     */
    Optional<Duration> pauseBeforeSwap();

    Optional<Duration> pauseAfterSwap();

    interface Encryption {
        /** The Tink keyset that decrypts encrypted backups (the one backup-service encrypts with). */
        Optional<String> keysetFile();
    }
}

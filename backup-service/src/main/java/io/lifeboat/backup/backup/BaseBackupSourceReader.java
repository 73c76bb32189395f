package io.lifeboat.backup.backup;

import io.lifeboat.backup.storage.ArchiveSink;
import io.lifeboat.backup.config.BackupConfig;
import io.lifeboat.backup.source.Source;
import io.lifeboat.backup.wal.WalSlots;
import io.lifeboat.bucket.wal.Lsn;
import io.lifeboat.events.storage.PhysicalBackup;
import io.lifeboat.postgres.ClientBinaries;
import io.lifeboat.postgres.PostgresEndpoint;
import io.lifeboat.postgres.SecretReferences;
import jakarta.enterprise.context.ApplicationScoped;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;

/**
 * A continuous source: a physical base backup of the whole cluster ({@code pg_basebackup} as one tar on stdout,
 * without WAL: the WAL stream holds it). The replication slot is made sure of first, so every WAL segment the
 * backup needs stays on the source until it is in the bucket. The WAL range recorded is conservative: from the
 * position before the backup's start checkpoint to the position after it ended; the recovery point is the
 * source's clock after it ended (recovery from it is consistent from then on).
 */
@ApplicationScoped
class BaseBackupSourceReader implements SourceReader {

    private final String pgBasebackup;
    private final SecretReferences secrets;

    BaseBackupSourceReader(BackupConfig config, SecretReferences secrets) {
        this.pgBasebackup = ClientBinaries.program(config.pgBin(), "pg_basebackup");
        this.secrets = secrets;
    }

    @Override
    public SourceRead read(Source source, ArchiveSink sink, LongConsumer estimate) throws BackupFailure, IOException {
        String password = SourceReader.password(secrets, source);
        PostgresEndpoint endpoint = new PostgresEndpoint(source.host, source.port, source.dbUser);
        try (Connection sql = endpoint.connectToServer(source.databaseName, password)) {
            WalSlots.ensure(sql, WalSlots.slotName(source.name));
            String systemId = single(sql, "SELECT system_identifier::text FROM pg_control_system()");
            String superuser = single(sql, "SELECT rolname FROM pg_roles WHERE oid = 10");
            String version = single(sql, "SELECT current_setting('server_version')");
            long startLsn = Lsn.parse(single(sql, "SELECT pg_current_wal_lsn()::text"));
            estimate.accept(Long.parseLong(single(sql, "SELECT sum(pg_database_size(oid))::text FROM pg_database")));
            runBasebackup(source, password, sink);
            long stopLsn = Lsn.parse(single(sql, "SELECT pg_current_wal_lsn()::text"));
            int timeline = Integer.parseInt(single(sql, "SELECT timeline_id::text FROM pg_control_checkpoint()"));
            Instant consistentAt = Instant.parse(single(sql,
                    "SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"));
            Map<String, String> tools = new LinkedHashMap<>();
            tools.put("pg_basebackup", PostgresDump.pgDumpVersion(pgBasebackup));
            tools.put("server", version);
            tools.put("format", "pg_basebackup tar (-X none), WAL in wal/");
            PhysicalBackup physical = new PhysicalBackup(systemId, timeline, Lsn.format(startLsn), Lsn.format(stopLsn),
                    Lsn.DEFAULT_SEGMENT_SIZE, superuser);
            return new SourceRead(consistentAt.truncatedTo(ChronoUnit.MICROS), tools, Map.of(), Map.of(), null, null, null,
                    physical);
        } catch (SQLException e) {
            throw new BackupFailure("snapshot", "cannot prepare the base backup of " + source.host + ":" + source.port + ": "
                    + e.getMessage(), e);
        }
    }

    private void runBasebackup(Source source, String password, OutputStream sink) throws BackupFailure, IOException {
        List<String> command = List.of(pgBasebackup, "-h", source.host, "-p", Integer.toString(source.port), "-U",
                source.dbUser, "--no-password", "-D", "-", "-Ft", "-X", "none", "-c", "fast", "--no-sync");
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().put("PGPASSWORD", password);
        builder.environment().put("PGCONNECT_TIMEOUT", "10");
        Process process = builder.start();
        process.getOutputStream().close();
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        Thread errors = new Thread(() -> {
            try (InputStream err = process.getErrorStream()) {
                err.transferTo(stderr);
            } catch (IOException ignored) {
                // the exit code tells
            }
        }, "pg_basebackup-stderr");
        errors.start();
        try {
            process.getInputStream().transferTo(sink);
            int exit = process.waitFor();
            errors.join(5000);
            if (exit != 0) {
                throw new BackupFailure("dump", "pg_basebackup exited " + exit + ": " + stderr.toString(StandardCharsets.UTF_8).strip());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BackupFailure("dump", "interrupted while pg_basebackup ran");
        } finally {
            if (process.isAlive()) {
                process.destroyForcibly();
            }
        }
    }

    private static String single(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }
}

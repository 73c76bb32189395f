package io.lifeboat.backup.backup;

import io.lifeboat.backup.source.Source;
import io.lifeboat.events.storage.NewestTimestamp;
import io.lifeboat.postgres.DatabaseRoles;
import io.lifeboat.postgres.PostgresEndpoint;
import io.lifeboat.postgres.TableContents;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;


/**
 * A consistent dump of a PostgreSQL database. A repeatable-read transaction exports its snapshot; pg_dump
 * imports it ({@code --snapshot}), so the recovery point is that transaction's start on the server's clock and
 * the row counts and newest timestamps recorded in the manifest describe exactly the dumped data. pg_dump runs uncompressed
 * ({@code -Z0}): Lifeboat compresses with multi-threaded zstd while streaming.
 */
final class PostgresDump implements AutoCloseable {

    private final Connection snapshotTx;
    private final String snapshotId;
    private final Instant recoveryPoint;
    private final Map<String, Long> rowCounts;
    private final Map<String, NewestTimestamp> newestTimestamps;
    private final String serverVersion;
    private final long databaseBytes;
    private final List<String> roles;
    private Process process;
    private final ByteArrayOutputStream stderr = new ByteArrayOutputStream();
    private Thread stderrReader;

    private PostgresDump(Connection snapshotTx, String snapshotId, Instant recoveryPoint, Map<String, Long> rowCounts,
                         Map<String, NewestTimestamp> newestTimestamps, String serverVersion, long databaseBytes,
                         List<String> roles) {
        this.roles = roles;
        this.snapshotTx = snapshotTx;
        this.snapshotId = snapshotId;
        this.recoveryPoint = recoveryPoint;
        this.rowCounts = rowCounts;
        this.newestTimestamps = newestTimestamps;
        this.serverVersion = serverVersion;
        this.databaseBytes = databaseBytes;
    }

    static PostgresDump snapshot(Source source, String password) throws BackupFailure {
        Connection c = null;
        try {
            c = new PostgresEndpoint(source.host, source.port, source.dbUser).connect(source.databaseName, password);
            c.setAutoCommit(false);
            c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            c.setReadOnly(true);
            String snapshot;
            Instant point;
            String version;
            long size;
            try (Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT pg_export_snapshot(), transaction_timestamp(), "
                         + "current_setting('server_version'), pg_database_size(current_database())")) {
                rs.next();
                snapshot = rs.getString(1);
                point = rs.getTimestamp(2).toInstant();
                version = rs.getString(3);
                size = rs.getLong(4);
            }
            TableContents contents = TableContents.read(c, source.rowCountTableList());
            Map<String, Long> counts = contents.rowCounts();
            Map<String, NewestTimestamp> newest = new LinkedHashMap<>();
            contents.newest().forEach((table, n) -> newest.put(table, new NewestTimestamp(n.column(), n.value())));
            return new PostgresDump(c, snapshot, point, counts, newest, version, size, DatabaseRoles.neededBy(c));
        } catch (SQLException e) {
            closeQuietly(c);
            throw new BackupFailure("snapshot", "cannot open a snapshot of " + source.databaseName + " on "
                    + source.host + ":" + source.port + ": " + e.getMessage(), e);
        }
    }

    /** Starts pg_dump on the exported snapshot; its stdout is the custom-format dump. */
    InputStream start(String pgDump, Source source, String password) throws BackupFailure {
        List<String> command = List.of(pgDump, "--format=custom", "-Z0", "--snapshot=" + snapshotId, "--no-password",
                "-h", source.host, "-p", Integer.toString(source.port), "-U", source.dbUser, "-d", source.databaseName);
        try {
            ProcessBuilder builder = new ProcessBuilder(command);
            builder.environment().put("PGPASSWORD", password);
            builder.environment().put("PGCONNECT_TIMEOUT", "10");
            process = builder.start();
            process.getOutputStream().close();
            stderrReader = new Thread(() -> {
                try (InputStream err = process.getErrorStream()) {
                    byte[] buf = new byte[4096];
                    int n;
                    while ((n = err.read(buf)) > 0) {
                        synchronized (stderr) {
                            if (stderr.size() < 64 * 1024) stderr.write(buf, 0, n);
                        }
                    }
                } catch (IOException ignored) {
                    // the exit code tells
                }
            }, "pg_dump-stderr");
            stderrReader.start();
            return process.getInputStream();
        } catch (IOException e) {
            throw new BackupFailure("dump", "cannot start " + pgDump + ": " + e.getMessage(), e);
        }
    }

    /** Waits for pg_dump; a non-zero exit fails the backup with pg_dump's own stderr. */
    void finish() throws BackupFailure {
        try {
            int exit = process.waitFor();
            stderrReader.join(5000);
            if (exit != 0) {
                throw new BackupFailure("dump", "pg_dump exited " + exit + ": " + stderrText());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BackupFailure("dump", "interrupted while waiting for pg_dump");
        }
    }

    String stderrText() {
        synchronized (stderr) {
            return stderr.toString(StandardCharsets.UTF_8).strip();
        }
    }

    boolean exitedWithError() {
        return process != null && !process.isAlive() && process.exitValue() != 0;
    }

    Instant recoveryPoint() {
        return recoveryPoint;
    }

    Map<String, Long> rowCounts() {
        return rowCounts;
    }

    Map<String, NewestTimestamp> newestTimestamps() {
        return newestTimestamps;
    }

    /**
     * The statements that recreate the roles the database needs ({@code pg_dumpall --globals-only}, no passwords,
     * filtered to those roles), so a restore into a fresh cluster can create its owners first.
     */
    String roleStatements(String pgDumpall, Source source, String password) throws BackupFailure {
        List<String> command = List.of(pgDumpall, "--globals-only", "--no-role-passwords", "--no-password", "-h", source.host,
                "-p", Integer.toString(source.port), "-U", source.dbUser, "-l", source.databaseName);
        try {
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(false);
            builder.environment().put("PGPASSWORD", password);
            builder.environment().put("PGCONNECT_TIMEOUT", "10");
            Process p = builder.start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor() != 0) {
                throw new BackupFailure("roles", "pg_dumpall --globals-only failed: " + err.strip());
            }
            return DatabaseRoles.globalsFor(out, roles);
        } catch (IOException e) {
            throw new BackupFailure("roles", "cannot run " + pgDumpall + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BackupFailure("roles", "interrupted while pg_dumpall ran");
        }
    }

    String serverVersion() {
        return serverVersion;
    }

    long databaseBytes() {
        return databaseBytes;
    }

    @Override
    public void close() {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
        }
        closeQuietly(snapshotTx);
    }

    static String pgDumpVersion(String pgDump) {
        try {
            Process p = new ProcessBuilder(pgDump, "--version").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor();
            Matcher m = java.util.regex.Pattern.compile("(\\d+(\\.\\d+)*)").matcher(out);
            return m.find() ? m.group(1) : out.strip();
        } catch (IOException e) {
            return "unknown";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown";
        }
    }



    private static void closeQuietly(Connection c) {
        if (c != null) {
            try {
                c.rollback();
                c.close();
            } catch (SQLException ignored) {
                // closing anyway
            }
        }
    }
}

package io.lifeboat.backup.backup;

import io.lifeboat.backup.source.Source;
import io.lifeboat.events.storage.NewestTimestamp;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.stream.Stream;

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
    private Process process;
    private final ByteArrayOutputStream stderr = new ByteArrayOutputStream();
    private Thread stderrReader;

    private PostgresDump(Connection snapshotTx, String snapshotId, Instant recoveryPoint, Map<String, Long> rowCounts,
                         Map<String, NewestTimestamp> newestTimestamps, String serverVersion, long databaseBytes) {
        this.snapshotTx = snapshotTx;
        this.snapshotId = snapshotId;
        this.recoveryPoint = recoveryPoint;
        this.rowCounts = rowCounts;
        this.newestTimestamps = newestTimestamps;
        this.serverVersion = serverVersion;
        this.databaseBytes = databaseBytes;
    }

    static PostgresDump snapshot(Source source, String password) throws BackupFailure {
        String url = "jdbc:postgresql://" + source.host + ":" + source.port + "/" + source.databaseName;
        Connection c = null;
        try {
            c = DriverManager.getConnection(url, source.dbUser, password);
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
            Map<String, Long> counts = new LinkedHashMap<>();
            Map<String, NewestTimestamp> newest = new LinkedHashMap<>();
            try (Statement s = c.createStatement()) {
                s.execute("SET LOCAL TIME ZONE 'UTC'"); // NewestTimestamp's text is printed in UTC
            }
            for (String table : source.rowCountTableList()) {
                try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM " + quote(table))) {
                    rs.next();
                    counts.put(table, rs.getLong(1));
                }
                String column = timestampColumn(c, table);
                if (column != null) {
                    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                            "SELECT max(" + quote(column) + ")::text FROM " + quote(table))) {
                        rs.next();
                        newest.put(table, new NewestTimestamp(column, rs.getString(1)));
                    }
                }
            }
            return new PostgresDump(c, snapshot, point, counts, newest, version, size);
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
     * The column that dates a table's rows: one named {@code timestamp} (the runbook's tables), else
     * {@code created_at}, else the table's first timestamp or date column; null when it has none.
     */
    static String timestampColumn(Connection c, String table) throws SQLException {
        String sql = "SELECT a.attname FROM pg_attribute a WHERE a.attrelid = ?::regclass AND a.attnum > 0 "
                + "AND NOT a.attisdropped AND a.atttypid IN ('timestamp'::regtype, 'timestamptz'::regtype, 'date'::regtype) "
                + "ORDER BY (a.attname = 'timestamp') DESC, (a.attname = 'created_at') DESC, a.attnum LIMIT 1";
        try (var ps = c.prepareStatement(sql)) {
            ps.setString(1, quote(table));
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
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

    /** The configured pg_dump, else the newest Debian PostgreSQL's, else the one on PATH. */
    static String locatePgDump(java.util.Optional<String> configured) {
        if (configured.isPresent()) {
            return configured.get();
        }
        Path root = Path.of("/usr/lib/postgresql");
        if (Files.isDirectory(root)) {
            try (Stream<Path> versions = Files.list(root)) {
                var best = versions.map(v -> v.resolve("bin/pg_dump")).filter(Files::isExecutable)
                        .max(Comparator.comparingInt(p -> {
                            try {
                                return Integer.parseInt(p.getParent().getParent().getFileName().toString());
                            } catch (NumberFormatException e) {
                                return -1;
                            }
                        }));
                if (best.isPresent()) {
                    return best.get().toString();
                }
            } catch (IOException ignored) {
                // fall back to PATH
            }
        }
        return "pg_dump";
    }

    static String quote(String qualifiedName) {
        List<String> parts = new ArrayList<>();
        for (String part : qualifiedName.split("\\.")) {
            parts.add("\"" + part.replace("\"", "\"\"") + "\"");
        }
        return String.join(".", parts);
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

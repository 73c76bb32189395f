package io.lifeboat.restore.restore;

import io.lifeboat.restore.target.Target;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** pg_restore into a new database of the target server, and the atomic rename swap of replace mode. */
final class PostgresRestorer {

    private final Target target;
    private final String password;
    private final String pgBin;

    PostgresRestorer(Target target, String password, String pgBin) {
        this.target = target;
        this.password = password;
        this.pgBin = pgBin;
    }

    Connection connect(String database) throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://" + target.host + ":" + target.port + "/" + database,
                target.dbUser, password);
    }

    boolean exists(String database) throws SQLException {
        try (Connection c = connect("postgres");
             PreparedStatement s = c.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
            s.setString(1, database);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next();
            }
        }
    }

    void create(String database) throws SQLException {
        try (Connection c = connect("postgres"); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + quote(database));
        }
    }

    /** Drops a database this restore created itself (never the target's own data). */
    void dropOwn(String database) {
        try (Connection c = connect("postgres"); Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + quote(database) + " WITH (FORCE)");
        } catch (SQLException ignored) {
            // left for the operator; its name says what it is
        }
    }

    void pgRestore(Path dump, String database, int jobs) throws RestoreFailure {
        List<String> command = List.of(Path.of(pgBin, "pg_restore").toString(), "--jobs=" + jobs, "--exit-on-error",
                "--no-password", "-h", target.host, "-p", Integer.toString(target.port), "-U", target.dbUser,
                "-d", database, dump.toString());
        try {
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
            builder.environment().put("PGPASSWORD", password);
            Process process = builder.start();
            process.getOutputStream().close();
            byte[] output = process.getInputStream().readNBytes(64 * 1024);
            if (!process.waitFor(6, TimeUnit.HOURS) || process.exitValue() != 0) {
                throw new RestoreFailure("restore", "pg_restore exited " + process.exitValue() + ": "
                        + new String(output, StandardCharsets.UTF_8).strip());
            }
        } catch (IOException e) {
            throw new RestoreFailure("restore", "cannot run pg_restore: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RestoreFailure("restore", "interrupted while pg_restore ran");
        }
    }

    /** pg_restore (one job) reading the archive from {@code archive} as it is downloaded: no spool file. */
    void pgRestoreStream(java.io.InputStream archive, String database) throws RestoreFailure, IOException {
        List<String> command = List.of(Path.of(pgBin, "pg_restore").toString(), "--exit-on-error", "--no-password",
                "-h", target.host, "-p", Integer.toString(target.port), "-U", target.dbUser, "-d", database);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("PGPASSWORD", password);
        Process process = builder.start();
        java.io.ByteArrayOutputStream output = new java.io.ByteArrayOutputStream();
        Thread reader = new Thread(() -> {
            try (var in = process.getInputStream()) {
                byte[] buf = new byte[8192];
                int n;
                while ((n = in.read(buf)) > 0) {
                    synchronized (output) {
                        if (output.size() < 64 * 1024) output.write(buf, 0, n);
                    }
                }
            } catch (IOException ignored) {
                // the exit code tells
            }
        }, "pg_restore-output");
        reader.start();
        try (var stdin = process.getOutputStream()) {
            archive.transferTo(stdin);
        } catch (IOException e) {
            if (!process.isAlive() && process.exitValue() != 0) {
                throw new RestoreFailure("restore", "pg_restore exited " + process.exitValue() + ": " + text(output));
            }
            process.destroyForcibly();
            throw e;
        }
        try {
            int exit = process.waitFor();
            reader.join(5000);
            if (exit != 0) {
                throw new RestoreFailure("restore", "pg_restore exited " + exit + ": " + text(output));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RestoreFailure("restore", "interrupted while pg_restore ran");
        }
    }

    private static String text(java.io.ByteArrayOutputStream output) {
        synchronized (output) {
            return output.toString(StandardCharsets.UTF_8).strip();
        }
    }

    /**
     * Terminates sessions on the current database, then renames it aside and the restored one into its place in
     * one transaction: the name points at the old data or the restored data, never a mix. Returns the number of
     * sessions terminated.
     */
    int swap(String current, String restored, String movedAside, boolean currentExists) throws SQLException {
        SQLException last = null;
        int terminated = 0;
        for (int attempt = 0; attempt < 5; attempt++) {
            try (Connection c = connect("postgres")) {
                if (currentExists) {
                    try (PreparedStatement kill = c.prepareStatement(
                            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = ? AND pid <> pg_backend_pid()")) {
                        kill.setString(1, current);
                        try (ResultSet rs = kill.executeQuery()) {
                            rs.next();
                            terminated += rs.getInt(1);
                        }
                    }
                }
                c.setAutoCommit(false);
                try (Statement s = c.createStatement()) {
                    if (currentExists) {
                        s.execute("ALTER DATABASE " + quote(current) + " RENAME TO " + quote(movedAside));
                    }
                    s.execute("ALTER DATABASE " + quote(restored) + " RENAME TO " + quote(current));
                    c.commit();
                    return terminated;
                } catch (SQLException e) {
                    c.rollback();
                    last = e;
                }
            }
            ServerSleep.sleep(200);
        }
        throw last;
    }

    static String quote(String name) {
        return "\"" + name.replace("\"", "\"\"") + "\"";
    }

    static String locateBin(java.util.Optional<String> configured) {
        if (configured.isPresent()) return configured.get();
        Path root = Path.of("/usr/lib/postgresql");
        if (Files.isDirectory(root)) {
            try (Stream<Path> versions = Files.list(root)) {
                var best = versions.map(v -> v.resolve("bin")).filter(b -> Files.isExecutable(b.resolve("pg_restore")))
                        .max(Comparator.comparingInt(b -> {
                            try {
                                return Integer.parseInt(b.getParent().getFileName().toString());
                            } catch (NumberFormatException e) {
                                return -1;
                            }
                        }));
                if (best.isPresent()) return best.get().toString();
            } catch (IOException ignored) {
                // fall back to /usr/bin
            }
        }
        return "/usr/bin";
    }

    static final class ServerSleep {
        static void sleep(long ms) {
            try {
                Thread.sleep(ms);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}

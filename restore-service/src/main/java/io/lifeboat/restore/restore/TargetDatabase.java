package io.lifeboat.restore.restore;

import io.lifeboat.postgres.DatabaseRoles;
import io.lifeboat.postgres.PostgresEndpoint;
import io.lifeboat.restore.target.Target;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.lifeboat.postgres.Identifiers.quote;

/** A postgres target's server: pg_restore into a new database, and the atomic rename swap of replace mode. */
final class TargetDatabase {

    private final Target target;
    private final PostgresEndpoint endpoint;
    private final String password;
    private final String pgRestore;

    TargetDatabase(Target target, String password, String pgRestore) {
        this.target = target;
        this.endpoint = new PostgresEndpoint(target.host, target.port, target.dbUser);
        this.password = password;
        this.pgRestore = pgRestore;
    }

    Connection connect(String database) throws SQLException {
        return endpoint.connect(database, password);
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

    /**
     * Creates the roles the backup's database needs that this server lacks (a fresh cluster after an
     * infrastructure loss), so pg_restore can give every object its owner. Returns the roles created.
     */
    List<String> createMissingRoles(String globals) throws SQLException {
        List<DatabaseRoles.Role> needed = DatabaseRoles.parse(globals);
        List<DatabaseRoles.Role> missing = new java.util.ArrayList<>();
        try (Connection c = connect("postgres")) {
            for (DatabaseRoles.Role role : needed) {
                try (PreparedStatement s = c.prepareStatement("SELECT 1 FROM pg_roles WHERE rolname = ?")) {
                    s.setString(1, role.name());
                    try (ResultSet rs = s.executeQuery()) {
                        if (!rs.next()) missing.add(role);
                    }
                }
            }
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                for (DatabaseRoles.Role role : missing) {
                    s.execute(role.statements().get(0)); // CREATE ROLE, all of them first: grants may join two
                }
                for (DatabaseRoles.Role role : missing) {
                    for (String statement : role.statements().subList(1, role.statements().size())) {
                        s.execute(statement);
                    }
                }
                c.commit();
            } catch (SQLException e) {
                c.rollback();
                throw e;
            }
        }
        return missing.stream().map(DatabaseRoles.Role::name).toList();
    }

    /** The ownership mark a restore leaves on the database it creates: the proof any later drop checks. */
    static String ownerMark(String restoreId) {
        return "lifeboat restore " + restoreId;
    }

    /** Creates the database and marks it as this restore's own. */
    void create(String database, String restoreId) throws SQLException {
        try (Connection c = connect("postgres"); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + quote(database));
            s.execute("COMMENT ON DATABASE " + quote(database) + " IS '" + ownerMark(restoreId).replace("'", "''") + "'");
        }
    }

    /** The ownership mark of a database, or null (none, or no such database). */
    String ownerMarkOf(String database) throws SQLException {
        try (Connection c = connect("postgres"); PreparedStatement s = c.prepareStatement(
                "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = ?")) {
            s.setString(1, database);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    /**
     * Drops a database only when it carries this restore's ownership mark, so nothing Lifeboat did not create
     * itself is ever dropped. Returns whether it was dropped.
     */
    boolean dropOwn(String database, String restoreId) {
        try {
            if (!ownerMark(restoreId).equals(ownerMarkOf(database))) {
                return false;
            }
            try (Connection c = connect("postgres"); Statement s = c.createStatement()) {
                s.execute("DROP DATABASE IF EXISTS " + quote(database) + " WITH (FORCE)");
                return true;
            }
        } catch (SQLException e) {
            return false; // left for the operator; its mark says what it is
        }
    }

    void pgRestore(Path dump, String database, int jobs) throws RestoreFailure {
        List<String> command = List.of(pgRestore, "--jobs=" + jobs, "--exit-on-error",
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
        List<String> command = List.of(pgRestore, "--exit-on-error", "--no-password",
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
            StreamCopy.copy(archive, stdin, new byte[StreamCopy.BUFFER_BYTES]);
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
                    // it is the target's data from here on: no restore may drop it as its own
                    s.execute("COMMENT ON DATABASE " + quote(current) + " IS NULL");
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

package io.lifeboat.restore.restore;

import io.lifeboat.postgres.PostgresEndpoint;
import io.lifeboat.postgres.ServerUser;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A throwaway PostgreSQL server that replays a base backup and its WAL up to a recovery target, inside the
 * restore's own folder, then is dumped from and stopped. It listens on a unix socket in that folder (trust, for the
 * server's own bootstrap role) and on 127.0.0.1 with a random password set once recovery is over; nothing of the
 * source's configuration (archiving, preloaded libraries, listeners) applies to it.
 */
final class RecoveryServer implements AutoCloseable {

    private static final DateTimeFormatter TARGET = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS'+00'")
            .withZone(ZoneOffset.UTC);
    private static final Pattern STOPPING = Pattern.compile("recovery stopping (before|after) (.*)");
    private static final Pattern LAST = Pattern.compile("last completed transaction was at log time (\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d(\\.\\d+)?[+-]\\d\\d)");
    private static final String TARGET_NOT_REACHED = "recovery ended before configured recovery target was reached";

    /**
     * What recovery is asked to reach: an instant ({@code time}, reached as the position right after the last commit
     * at or before it, see {@link CommitLocator}), the end of the WAL, or the base backup's consistency point.
     */
    record Target(String kind, Instant at, Long lsn) {
        static Target time(Instant at) {
            return new Target("time", at, null);
        }

        static Target latest() {
            return new Target("latest", null, null);
        }

        static Target immediate() {
            return new Target("immediate", null, null);
        }

        Target atPosition(long lsn) {
            return new Target(kind, at, lsn);
        }
    }

    /** How recovery ended: the last transaction it replayed, and what the server said about the target. */
    record Outcome(Instant lastTransactionAt, String stopped, boolean replayedToEnd) {
    }

    private final Path folder;
    private final Path data;
    private final Path socket;
    private final Path log;
    private final Path binDir;
    private final String superuser;
    private final int port;
    private final String password = HexFormat.of().formatHex(new SecureRandom().generateSeed(16));
    private Process process;

    RecoveryServer(Path folder, Path binDir, String superuser) throws IOException {
        this.folder = folder;
        this.data = folder.resolve("data");
        // a unix socket's path may not exceed 107 bytes: its folder is a short one of its own, not inside the
        // restore's folder (whose name carries the restore id)
        this.socket = Files.createTempDirectory("lb-sock-");
        this.log = folder.resolve("recovery.log");
        this.binDir = binDir;
        this.superuser = superuser;
        try (ServerSocket free = new ServerSocket(0)) {
            this.port = free.getLocalPort();
        }
    }

    Path dataDirectory() {
        return data;
    }

    /**
     * Replays the WAL in {@code wal} onto the extracted base backup up to {@code target}, then promotes. When the
     * WAL ends before a time target (no transaction committed after it is stored), recovery continues to the end of
     * the WAL, which then is the state at the target. Throws with the server's own words when recovery fails.
     */
    Outcome recover(Path wal, Target target, Duration timeout) throws IOException, RestoreFailure {
        Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rwx------"));
        ServerUser.own(socket);
        Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwx------"));
        Files.writeString(folder.resolve("pg_hba.conf"), """
                local all all trust
                host all all 127.0.0.1/32 scram-sha-256
                """);
        Files.writeString(folder.resolve("postgresql.conf"), "# a recovery server: settings are on its command line\n");
        Files.deleteIfExists(data.resolve("postmaster.pid"));
        Files.writeString(data.resolve("recovery.signal"), "");
        ServerUser.own(folder);
        start(wal, target);
        boolean promoted = awaitPromotion(timeout);
        boolean toEnd = target.kind().equals("latest");
        if (!promoted) {
            String text = logText();
            if (target.kind().equals("time") && text.contains(TARGET_NOT_REACHED)) {
                // no transaction after the target is stored: the end of the WAL is the state at the target
                start(wal, Target.latest());
                toEnd = true;
                if (!awaitPromotion(timeout)) {
                    throw new RestoreFailure("recover", "PostgreSQL could not recover to the end of the WAL: " + tail());
                }
            } else {
                throw new RestoreFailure("recover", "PostgreSQL recovery failed: " + tail());
            }
        }
        String text = logText();
        Matcher stop = STOPPING.matcher(text);
        String stopped = null;
        while (stop.find()) {
            stopped = stop.group(0);
        }
        Matcher last = LAST.matcher(text);
        Instant lastAt = null;
        while (last.find()) {
            lastAt = java.time.OffsetDateTime.parse(last.group(1).replace(' ', 'T') + ":00").toInstant();
        }
        psql("postgres", "ALTER ROLE \"" + superuser.replace("\"", "\"\"") + "\" PASSWORD '" + password + "'");
        return new Outcome(lastAt, stopped, toEnd);
    }

    private void start(Path wal, Target target) throws IOException {
        List<String> command = new ArrayList<>(List.of(binDir.resolve("postgres").toString(), "-D", data.toString(),
                "-c", "config_file=" + folder.resolve("postgresql.conf"), "-c", "hba_file=" + folder.resolve("pg_hba.conf"),
                "-c", "port=" + port, "-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=" + socket,
                "-c", "restore_command=cp \"" + wal + "/%f\" \"%p\"", "-c", "recovery_target_timeline=latest",
                "-c", "recovery_target_action=promote", "-c", "archive_mode=off", "-c", "hot_standby=off",
                "-c", "shared_preload_libraries=", "-c", "max_connections=20", "-c", "shared_buffers=128MB",
                "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "logging_collector=off", "-c", "log_destination=stderr"));
        if (target.kind().equals("time") && target.lsn() != null) {
            command.addAll(List.of("-c", "recovery_target_lsn=" + io.lifeboat.bucket.wal.Lsn.format(target.lsn()),
                    "-c", "recovery_target_inclusive=true"));
        } else if (target.kind().equals("time")) {
            command.addAll(List.of("-c", "recovery_target_time=" + TARGET.format(target.at()), "-c", "recovery_target_inclusive=true"));
        } else if (target.kind().equals("immediate")) {
            command.addAll(List.of("-c", "recovery_target=immediate"));
        }
        ProcessBuilder builder = new ProcessBuilder(ServerUser.wrap(command)).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().put("TZ", "UTC");
        process = builder.start();
    }

    /** True once the server accepts connections out of recovery; false when it stopped first. */
    private boolean awaitPromotion(Duration timeout) throws RestoreFailure {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                return false;
            }
            try {
                if ("f".equals(psql("postgres", "SELECT pg_is_in_recovery()").strip())) {
                    return true;
                }
            } catch (IOException notYet) {
                // still replaying: no connections yet
            }
            sleep(300);
        }
        throw new RestoreFailure("recover", "recovery did not finish within " + timeout + ": " + tail());
    }

    /** Runs one statement through psql on the server's socket; its output. */
    String psql(String database, String sql) throws IOException {
        List<String> command = List.of(binDir.resolve("psql").toString(), "-h", socket.toString(), "-p", Integer.toString(port),
                "-U", superuser, "-d", database, "-AtX", "-v", "ON_ERROR_STOP=1", "-c", sql);
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (p.waitFor() != 0) {
                throw new IOException("psql: " + out.strip());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        }
        return out;
    }

    /** A client program of the server's version, pointed at its socket as its bootstrap role. */
    List<String> clientCommand(String program, String... args) {
        List<String> command = new ArrayList<>(List.of(binDir.resolve(program).toString(), "-h", socket.toString(), "-p",
                Integer.toString(port), "-U", superuser));
        command.addAll(List.of(args));
        return command;
    }

    /** A JDBC connection (over 127.0.0.1 with the password set after recovery). */
    Connection connect(String database) throws SQLException {
        return new PostgresEndpoint("127.0.0.1", port, superuser).connect(database, password);
    }

    /** The databases recovery brought back (not templates). */
    List<String> databases() throws IOException {
        return psql("postgres", "SELECT datname FROM pg_database WHERE NOT datistemplate ORDER BY 1").lines()
                .filter(l -> !l.isBlank()).toList();
    }

    private String logText() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "";
        }
    }

    /** The server's last words, for a failure message. */
    String tail() {
        List<String> lines = logText().lines().filter(l -> l.contains("FATAL") || l.contains("ERROR") || l.contains("PANIC")
                || l.contains("LOG:  recovery")).toList();
        List<String> last = lines.subList(Math.max(0, lines.size() - 4), lines.size());
        return last.isEmpty() ? "(no error logged; see " + log + ")" : String.join(" | ", last);
    }

    @Override
    public void close() {
        stopServer();
        try (var left = Files.list(socket)) {
            for (Path p : left.toList()) {
                Files.deleteIfExists(p);
            }
            Files.deleteIfExists(socket);
        } catch (IOException ignored) {
            // an empty temp folder at worst
        }
    }

    private void stopServer() {
        if (process == null || !process.isAlive()) {
            return;
        }
        process.destroy(); // SIGTERM: smart shutdown, no clients are left
        try {
            if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

package io.lifeboat.stack;

import io.lifeboat.postgres.ClientBinaries;
import io.lifeboat.postgres.ServerUser;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A real PostgreSQL server in its own cluster directory, on its own port, listening on 127.0.0.1 only.
 * initdb refuses to run as root, so as root the server runs as the {@code postgres} OS user.
 */
public final class PostgresServer {

    public static final String SUPERUSER = "lifeboat";
    /** The longest path a unix socket may have (sun_path, less its terminating NUL). */
    private static final int MAX_SOCKET_PATH = 107;

    private final Path dataDir;
    private final int port;
    private final String password;
    private final ServerProcess process;
    private final Path binDir;

    public PostgresServer(Path dataDir, int port, String password, Path logFile, Path pidFile) {
        this.dataDir = dataDir;
        this.port = port;
        this.password = password;
        this.process = new ServerProcess("postgresql", logFile, pidFile);
        this.binDir = findBinDir();
    }

    public int port() {
        return port;
    }

    public String password() {
        return password;
    }

    public Path binDir() {
        return binDir;
    }

    public ServerProcess process() {
        return process;
    }

    public String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    /** PostgreSQL's server programs: $LIFEBOAT_PG_BIN, else the newest /usr/lib/postgresql/N/bin, else PATH. */
    public static Path findBinDir() {
        return ClientBinaries.directory(Optional.empty(), "initdb").orElseThrow(() -> new StackException(
                "PostgreSQL server binaries not found: install them (apt-get install -y postgresql) "
                        + "or set LIFEBOAT_PG_BIN to the directory holding initdb and postgres"));
    }

    public void start(Duration timeout) throws IOException {
        if (process.running().isPresent()) {
            return;
        }
        if (Ports.listening(port)) {
            throw new StackException("port " + port + " is already in use; set LIFEBOAT_PG_PORT to another port");
        }
        if (!Files.exists(dataDir.resolve("PG_VERSION"))) {
            initdb();
        }
        Files.deleteIfExists(dataDir.resolve("postmaster.pid"));
        List<String> command = asServerUser(List.of(binDir.resolve("postgres").toString(), "-D", dataDir.toString(),
                "-p", Integer.toString(port), "-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=" + socketFolder(),
                "-c", "max_connections=200", "-c", "fsync=on", "-c", "shared_buffers=128MB"));
        process.start(command, dataDir, Map.of());
        process.awaitReady(this::accepts, timeout);
    }

    /**
     * Where the server's unix socket goes: its data folder, or nowhere (TCP only, which is all Lifeboat uses) when
     * the socket's path there would pass the 107 bytes a unix socket path may have; PostgreSQL would not start.
     */
    private String socketFolder() {
        return (dataDir + "/.s.PGSQL." + port).length() <= MAX_SOCKET_PATH ? dataDir.toString() : "";
    }

    private void initdb() throws IOException {
        Files.createDirectories(dataDir);
        Path pwFile = dataDir.getParent().resolve(".pgpass-init");
        Files.writeString(pwFile, password);
        try {
            if (isRoot()) {
                chown(dataDir);
                chown(pwFile);
            }
            List<String> command = asServerUser(List.of(binDir.resolve("initdb").toString(), "-D", dataDir.toString(),
                    "-U", SUPERUSER, "--pwfile=" + pwFile, "--auth=scram-sha-256", "-E", "UTF8", "--locale=C.UTF-8"));
            run(command, "initdb");
        } finally {
            Files.deleteIfExists(pwFile);
        }
    }

    private boolean accepts() {
        try (Connection ignored = connect("postgres")) {
            return true;
        } catch (SQLException e) {
            return false;
        }
    }

    public Connection connect(String database) throws SQLException {
        return DriverManager.getConnection(jdbcUrl(database), SUPERUSER, password);
    }

    /** Creates the database if it does not exist. */
    public void createDatabase(String name) {
        try (Connection c = connect("postgres"); Statement s = c.createStatement()) {
            var rs = s.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + name.replace("'", "''") + "'");
            if (!rs.next()) {
                s.execute("CREATE DATABASE \"" + name.replace("\"", "") + "\"");
            }
        } catch (SQLException e) {
            throw new StackException("cannot create database " + name + ": " + e.getMessage(), e);
        }
    }

    public boolean stop() {
        // SIGTERM is PostgreSQL's "smart" shutdown; SIGINT ("fast") does not wait for clients.
        var handle = process.running();
        if (handle.isEmpty()) {
            return false;
        }
        try {
            new ProcessBuilder("kill", "-INT", Long.toString(handle.get().pid())).start().waitFor();
        } catch (IOException | InterruptedException ignored) {
            // stop() below escalates
        }
        return process.stop(Duration.ofSeconds(20));
    }

    private static List<String> asServerUser(List<String> command) {
        return ServerUser.wrap(command);
    }

    static boolean isRoot() {
        return ServerUser.isRoot();
    }

    private static void chown(Path path) {
        try {
            ServerUser.own(path);
        } catch (IOException e) {
            throw new StackException(e.getMessage(), e);
        }
    }

    static void run(List<String> command, String what) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            if (p.waitFor() != 0) {
                throw new StackException(what + " failed (" + String.join(" ", command) + "): " + out.strip());
            }
        } catch (IOException e) {
            throw new StackException(what + " could not run: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StackException(what + " interrupted");
        }
    }
}

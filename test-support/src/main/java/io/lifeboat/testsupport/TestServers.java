package io.lifeboat.testsupport;

import io.lifeboat.stack.KafkaServer;
import io.lifeboat.stack.Ports;
import io.lifeboat.stack.PostgresServer;
import io.lifeboat.stack.S3ProxyServer;
import io.lifeboat.stack.StackException;
import io.lifeboat.stack.TokenIssuer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.ArrayList;
import java.util.stream.Stream;

/**
 * The real servers a test JVM shares: PostgreSQL, a Kafka broker and S3Proxy, on free random ports in a
 * temporary folder. Started once per JVM on first use and stopped when the JVM exits.
 */
public final class TestServers {

    private static TestServers instance;

    private final Path root;
    private final PostgresServer postgres;
    private PostgresServer protectedPostgres;
    private final KafkaServer kafka;
    private final S3ProxyServer s3;
    private final TokenIssuer tokens;

    private TestServers(Path root, Path stackHome) {
        this.root = root;
        Path logs = root.resolve("logs");
        Path run = root.resolve("run");
        this.postgres = new PostgresServer(root.resolve("pg"), Ports.free(), "test-" + Long.toHexString(System.nanoTime()),
                logs.resolve("postgresql.log"), run.resolve("postgresql.pid"));
        this.kafka = new KafkaServer(root.resolve("kafka"), Ports.free(), Ports.free(), stackHome.resolve("lib"),
                logs.resolve("kafka.log"), run.resolve("kafka.pid"));
        this.s3 = new S3ProxyServer(root.resolve("s3"), Ports.free(), stackHome.resolve("s3proxy/s3proxy.jar"),
                "lifeboat-test", "lifeboat-test-secret", logs.resolve("s3proxy.log"), run.resolve("s3proxy.pid"));
        this.tokens = new TokenIssuer(root.resolve("keys"));
    }

    /** The shared servers, started on the first call. */
    public static synchronized TestServers get() {
        if (instance == null) {
            Path stackHome = Path.of(System.getProperty("lifeboat.stack.home",
                    Path.of("..", "deploy", "local-stack", "target", "stack").toAbsolutePath().normalize().toString()));
            if (!Files.isDirectory(stackHome.resolve("lib"))) {
                throw new StackException("local-stack jars missing in " + stackHome + "; run ./mvnw -B package -pl deploy/local-stack -am");
            }
            try {
                Path root = Files.createTempDirectory("lifeboat-test-");
                // the PostgreSQL server may run as another OS user: it must reach its folder
                Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
                TestServers servers = new TestServers(root, stackHome);
                // registered first: servers already started are stopped even when a later one fails to start
                Runtime.getRuntime().addShutdownHook(new Thread(servers::stopAll, "lifeboat-test-servers-stop"));
                servers.startAll();
                instance = servers;
            } catch (IOException e) {
                throw new StackException("cannot start test servers: " + e.getMessage(), e);
            }
        }
        return instance;
    }

    private void startAll() throws IOException {
        Thread pg = new Thread(() -> {
            try {
                postgres.start(Duration.ofSeconds(90));
            } catch (IOException e) {
                throw new StackException("postgres: " + e.getMessage(), e);
            }
        });
        pg.start();
        s3.start(Duration.ofSeconds(90));
        kafka.start(Duration.ofSeconds(120));
        kafka.createTopics(KafkaServer.TOPICS, 3);
        try {
            pg.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (postgres.process().running().isEmpty()) {
            throw new StackException("PostgreSQL did not start; see " + postgres.process().logFile());
        }
        tokens.ensureKeys();
    }

    private void stopAll() {
        kafka.stop();
        s3.stop();
        postgres.stop();
        if (protectedPostgres != null) {
            protectedPostgres.stop();
        }
        try (Stream<Path> files = Files.walk(root)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // temp folder, cleaned by the OS eventually
        }
    }

    public PostgresServer postgres() {
        return postgres;
    }

    /**
     * A second PostgreSQL cluster playing the protected system (its own data folder and port, as in the local stack),
     * started on first use: continuous protection streams its WAL, tests may break it without touching Lifeboat's.
     */
    public synchronized PostgresServer protectedPostgres() {
        if (protectedPostgres == null) {
            PostgresServer server = new PostgresServer(root.resolve("protected-pg"), Ports.free(),
                    "protected-" + Long.toHexString(System.nanoTime()), root.resolve("logs").resolve("protected-postgresql.log"),
                    root.resolve("run").resolve("protected-postgresql.pid"));
            try {
                server.start(Duration.ofSeconds(90));
            } catch (IOException e) {
                throw new StackException("protected postgres: " + e.getMessage(), e);
            }
            protectedPostgres = server;
        }
        return protectedPostgres;
    }

    public KafkaServer kafka() {
        return kafka;
    }

    public S3ProxyServer s3() {
        return s3;
    }

    public TokenIssuer tokens() {
        return tokens;
    }

    public Path root() {
        return root;
    }

    /**
     * The manifest MAC key of this module's tests: the in-JVM service reads it ({@code %test} profile), the
     * packaged ones are pointed at it, and fixtures that write manifests sign with it.
     */
    public static final Path MANIFEST_KEYSET = Path.of("target", "test-keys", "manifest-keyset.json").toAbsolutePath();

    /** A bearer token for the role (and the roles below it), or for a machine role (drill, alertmanager). */
    public String token(String role) {
        return TokenIssuer.MACHINE_ROLES.containsKey(role) ? tokens.issueMachine(role, "test-" + role, Duration.ofHours(1))
                : tokens.issue(role, "test-" + role, Duration.ofHours(1));
    }

    /**
     * The command line of a packaged service (its {@code quarkus-run.jar}) wired to these servers: its own
     * database, the broker, a bucket and the test JWT key, plus {@code properties} of the test's own.
     */
    public List<String> packagedServiceCommand(String jar, int port, String database, String bucket,
                                               Map<String, String> properties) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m",
                "-Dquarkus.http.port=" + port,
                "-Dquarkus.datasource.jdbc.url=" + postgres.jdbcUrl(database),
                "-Dquarkus.datasource.username=" + PostgresServer.SUPERUSER,
                "-Dquarkus.datasource.password=" + postgres.password(),
                "-Dkafka.bootstrap.servers=" + kafka.bootstrapServers(),
                "-Dlifeboat.s3.endpoint=" + s3.endpoint(),
                "-Dlifeboat.s3.access-key=" + s3.accessKey(),
                "-Dlifeboat.s3.secret-key=" + s3.secretKey(),
                "-Dlifeboat.s3.bucket=" + bucket,
                "-Dmp.jwt.verify.publickey.location=" + tokens.publicKey().toUri(),
                "-Dmp.jwt.verify.issuer=" + TokenIssuer.ISSUER,
                "-Dmp.jwt.verify.audiences=" + TokenIssuer.AUDIENCE,
                "-Dlifeboat.manifest.keyset-file=" + MANIFEST_KEYSET,
                "-Dlifeboat.manifest.generate-if-missing=true",
                "-Dlifeboat.backup.encryption.generate-if-missing=true",
                "-Dlifeboat.secrets.folder=" + TestSecrets.FOLDER));
        properties.forEach((key, value) -> command.add("-D" + key + "=" + value));
        command.addAll(List.of("-jar", jar));
        return command;
    }
}

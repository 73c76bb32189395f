package io.lifeboat.restore;

import io.lifeboat.testsupport.Scratch;
import io.lifeboat.stack.PostgresServer;
import io.lifeboat.stack.Ports;
import io.lifeboat.stack.ServerProcess;
import io.lifeboat.testsupport.TestSecrets;
import io.lifeboat.testsupport.TestServers;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * kill -9 of the packaged restore-service during a directory or database replace, just before and just after the
 * swap: after the restart the restore is Failed, says what the target holds, and the target holds the old data or
 * the fully restored data, never a mix; nothing is deleted.
 */
class KilledRestoreIT {

    private static final String DATABASE = "lifeboat_restore_killed";
    private static final HttpClient http = HttpClient.newHttpClient();
    private static S3Client s3;

    @BeforeAll
    static void setUp() {
        TestServers servers = TestServers.get();
        servers.postgres().createDatabase(DATABASE);
        s3 = S3Client.builder().endpointOverride(URI.create(servers.s3().endpoint())).region(Region.US_EAST_1).forcePathStyle(true)
                .httpClient(UrlConnectionHttpClient.create())
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(servers.s3().accessKey(),
                        servers.s3().secretKey()))).build();
        BackupFixtures.ensureBucket(s3);
    }

    private static ServerProcess start(int port, String pauseProperty) throws Exception {
        TestServers servers = TestServers.get();
        ServerProcess process = new ServerProcess("restore-killed", servers.root().resolve("logs/restore-killed-" + port + ".log"),
                servers.root().resolve("run/restore-killed.pid"));
        process.start(servers.packagedServiceCommand(System.getProperty("lifeboat.service.jar"), port, DATABASE,
                BackupFixtures.BUCKET, Map.of("lifeboat.restore.instance-id", "restore-killed",
                        "lifeboat.restore." + pauseProperty, "PT60S")), servers.root(), Map.of());
        process.awaitReady(() -> status(port, "/q/health/ready") == 200, Duration.ofSeconds(120));
        return process;
    }

    private static int status(int port, String path) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (Exception e) {
            return 0;
        }
    }

    private static String call(int port, String method, String path, String body) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Authorization", "Bearer " + TestServers.get().token("admin")).header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isLessThan(300);
        return response.body();
    }

    private static String sql(String query) throws Exception {
        try (Connection c = TestServers.get().postgres().connect(DATABASE); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(query)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    /** A target folder with "old" files, a backup of "new" files, and a replace restore running to the pause. */
    private static Path prepareAndStart(int port, String name) throws Exception {
        Path parent = Scratch.directory("killed-" + name);
        Path dir = parent.resolve("chroma_db");
        BackupFixtures.write(dir.resolve("a.txt"), "new a");
        BackupFixtures.write(dir.resolve("seg/b.bin"), "new b");
        BackupFixtures.directory(s3, name, dir, Instant.now().truncatedTo(ChronoUnit.MICROS));
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        BackupFixtures.write(dir.resolve("a.txt"), "old a");
        BackupFixtures.write(dir.resolve("old-only.txt"), "old");
        call(port, "PUT", "/targets/" + name, "{\"kind\": \"directory\", \"path\": \"" + dir + "\", \"production\": true}");
        call(port, "POST", "/restores", "{\"source\": \"" + name + "\", \"target\": \"" + name + "\", \"mode\": \"replace\", "
                + "\"confirm\": \"" + name + "\"}");
        return dir;
    }

    @Test
    void killedJustBeforeTheSwapTheTargetKeepsItsOldData() throws Exception {
        int port = Ports.free();
        ServerProcess service = start(port, "pause-before-swap");
        Path dir = prepareAndStart(port, "killed-before");
        await().atMost(Duration.ofSeconds(60)).until(() -> "Verifying".equals(sql(
                "SELECT phase FROM restore WHERE target = 'killed-before'")) && sql(
                "SELECT steps::text FROM restore WHERE target = 'killed-before'").contains("\"verify\""));
        kill(service);
        service = start(port, "pause-before-swap");
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> "Failed".equals(sql("SELECT phase FROM restore WHERE target = 'killed-before'")));
            assertThat(sql("SELECT error FROM restore WHERE target = 'killed-before'"))
                    .contains("interrupted by restart").contains("holds its old data");
            assertThat(Files.readString(dir.resolve("a.txt"))).isEqualTo("old a");
            assertThat(Files.readString(dir.resolve("old-only.txt"))).isEqualTo("old");
            try (Stream<Path> left = Files.list(dir.getParent())) {
                assertThat(left.map(p -> p.getFileName().toString())).containsExactly("chroma_db");
            }
        } finally {
            service.stop(Duration.ofSeconds(20));
        }
    }

    @Test
    void killedJustAfterTheSwapTheTargetHoldsTheRestoredDataAndTheOldIsAside() throws Exception {
        int port = Ports.free();
        ServerProcess service = start(port, "pause-after-swap");
        Path dir = prepareAndStart(port, "killed-after");
        await().atMost(Duration.ofSeconds(60)).until(() -> "swapped".equals(sql("SELECT swap_state FROM restore WHERE target = 'killed-after'")));
        kill(service);
        service = start(port, "pause-after-swap");
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> "Failed".equals(sql("SELECT phase FROM restore WHERE target = 'killed-after'")));
            assertThat(sql("SELECT error FROM restore WHERE target = 'killed-after'"))
                    .contains("interrupted by restart").contains("holds the restored data");
            assertThat(Files.readString(dir.resolve("a.txt"))).isEqualTo("new a");
            assertThat(Files.readString(dir.resolve("seg/b.bin"))).isEqualTo("new b");
            assertThat(Files.exists(dir.resolve("old-only.txt"))).isFalse();
            Path aside = Path.of(sql("SELECT moved_aside_as FROM restore WHERE target = 'killed-after'"));
            assertThat(Files.readString(aside.resolve("a.txt"))).isEqualTo("old a");
            assertThat(Files.readString(aside.resolve("old-only.txt"))).isEqualTo("old");
        } finally {
            service.stop(Duration.ofSeconds(20));
        }
    }

    private static long rows(String database) throws Exception {
        try (Connection c = TestServers.get().postgres().connect(database); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM t")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** A database with 5 rows backed up, then damaged down to 2, and a replace restore running to the pause. */
    private static String prepareAndStartPostgres(int port, String name) throws Exception {
        String database = name.replace('-', '_');
        PostgresServer pg = TestServers.get().postgres();
        pg.createDatabase(database);
        try (Connection c = pg.connect(database); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE t (id int PRIMARY KEY, \"timestamp\" timestamptz); "
                    + "INSERT INTO t SELECT g, now() - g * interval '1 minute' FROM generate_series(1, 5) g");
        }
        BackupFixtures.postgres(s3, name, database, Instant.now().truncatedTo(ChronoUnit.MICROS), Map.of("t", 5L), null, false);
        try (Connection c = pg.connect(database); Statement s = c.createStatement()) {
            s.execute("DELETE FROM t WHERE id > 2");
        }
        Path password = TestSecrets.file("killed-pg", pg.password());
        call(port, "PUT", "/targets/" + name, "{\"kind\": \"postgres\", \"host\": \"127.0.0.1\", \"port\": " + pg.port()
                + ", \"database\": \"" + database + "\", \"user\": \"" + PostgresServer.SUPERUSER + "\", \"passwordRef\": \"file:"
                + password + "\", \"production\": true}");
        call(port, "POST", "/restores", "{\"source\": \"" + name + "\", \"target\": \"" + name + "\", \"mode\": \"replace\", "
                + "\"confirm\": \"" + name + "\"}");
        return database;
    }

    @Test
    void killedJustBeforeTheDatabaseSwapTheDatabaseKeepsItsDataAndTheRestoredCopyIsKept() throws Exception {
        int port = Ports.free();
        ServerProcess service = start(port, "pause-before-swap");
        String database = prepareAndStartPostgres(port, "killed-pg-before");
        await().atMost(Duration.ofSeconds(60)).until(() -> "Verifying".equals(sql(
                "SELECT phase FROM restore WHERE target = 'killed-pg-before'")) && sql(
                "SELECT steps::text FROM restore WHERE target = 'killed-pg-before'").contains("\"verify\""));
        String copy = sql("SELECT restored_as FROM restore WHERE target = 'killed-pg-before'");
        kill(service);
        service = start(port, "pause-before-swap");
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> "Failed".equals(sql("SELECT phase FROM restore WHERE target = 'killed-pg-before'")));
            assertThat(sql("SELECT error FROM restore WHERE target = 'killed-pg-before'"))
                    .contains("interrupted by restart").contains("holds its old data").contains("kept as database " + copy);
            assertThat(copy).startsWith(database + "_restore_");
            assertThat(rows(database)).isEqualTo(2);
            assertThat(rows(copy)).isEqualTo(5);
        } finally {
            service.stop(Duration.ofSeconds(20));
        }
    }

    @Test
    void killedJustAfterTheDatabaseSwapTheDatabaseHoldsTheRestoredDataAndTheOldIsAside() throws Exception {
        int port = Ports.free();
        ServerProcess service = start(port, "pause-after-swap");
        String database = prepareAndStartPostgres(port, "killed-pg-after");
        await().atMost(Duration.ofSeconds(60)).until(() -> "swapped".equals(sql("SELECT swap_state FROM restore WHERE target = 'killed-pg-after'")));
        kill(service);
        service = start(port, "pause-after-swap");
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> "Failed".equals(sql("SELECT phase FROM restore WHERE target = 'killed-pg-after'")));
            String aside = sql("SELECT moved_aside_as FROM restore WHERE target = 'killed-pg-after'");
            assertThat(aside).startsWith(database + "_corrupted_");
            assertThat(sql("SELECT error FROM restore WHERE target = 'killed-pg-after'"))
                    .contains("interrupted by restart").contains("holds the restored data").contains("old data is in database " + aside);
            assertThat(rows(database)).isEqualTo(5);
            assertThat(rows(aside)).isEqualTo(2);
        } finally {
            service.stop(Duration.ofSeconds(20));
        }
    }

    private static void kill(ServerProcess service) throws Exception {
        ProcessHandle handle = service.running().orElseThrow();
        handle.destroyForcibly();
        handle.onExit().get();
    }
}

package io.lifeboat.backup;

import io.lifeboat.bucket.BackupBucket;
import io.lifeboat.bucket.ManifestAuthentication;
import io.lifeboat.bucket.S3Config;
import io.lifeboat.bucket.wal.RecoveryWindow;
import io.lifeboat.bucket.wal.WalArchive;
import io.lifeboat.stack.Ports;
import io.lifeboat.stack.PostgresServer;
import io.lifeboat.stack.ServerProcess;
import io.lifeboat.testsupport.TestSecrets;
import io.lifeboat.testsupport.TestServers;
import org.junit.jupiter.api.AfterAll;
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
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * kill -9 of the packaged backup-service streaming a continuous source while the source keeps writing: the slot
 * kept every byte the bucket did not have, a second instance takes the stream over once the lease runs out, and
 * the chain in the bucket has no gap and reaches the last write (no WAL lost, continuity holds).
 */
class WalStreamTakeoverIT {

    private static final String DATABASE = "lifeboat_backup_takeover";
    private static final String BUCKET = "lifeboat-wal-takeover";
    private static final HttpClient http = HttpClient.newHttpClient();
    private static final List<ServerProcess> instances = new ArrayList<>();

    @AfterAll
    static void stop() {
        instances.forEach(p -> p.stop(Duration.ofSeconds(20)));
    }

    private static ServerProcess start(String name, int port) {
        TestServers servers = TestServers.get();
        ServerProcess process = new ServerProcess("backup-service-" + name, servers.root().resolve("logs/takeover-" + name + ".log"),
                servers.root().resolve("run/takeover-" + name + ".pid"));
        try {
            process.start(servers.packagedServiceCommand(System.getProperty("lifeboat.service.jar"), port, DATABASE, BUCKET, Map.of(
                    "lifeboat.backup.instance-id", "takeover-" + name,
                    "lifeboat.backup.wal.lease", "PT6S",
                    "lifeboat.backup.wal.tick", "1s",
                    "lifeboat.backup.wal.audit-every", "2s",
                    "lifeboat.backup.encryption.keyset-file", servers.root().resolve("keys/takeover-keyset.json").toString())),
                    servers.root(), Map.of());
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
        process.awaitReady(() -> call(port, "GET", "/q/health/ready", null).statusCode() == 200, Duration.ofSeconds(120));
        instances.add(process);
        return process;
    }

    private static HttpResponse<String> call(int port, String method, String path, String body) {
        try {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .header("Authorization", "Bearer " + TestServers.get().token("operator")).header("Content-Type", "application/json");
            b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
            return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            return new FailedResponse();
        }
    }

    private static String field(String json, String name) {
        var m = java.util.regex.Pattern.compile("\"" + name + "\"\\s*:\\s*\"([^\"]*)\"").matcher(json);
        return m.find() ? m.group(1) : null;
    }

    private static Instant restorableUntil(int port) {
        String v = field(call(port, "GET", "/sources/crash-shop/wal", null).body(), "restorableUntil");
        return v == null ? null : Instant.parse(v);
    }

    @Test
    void aKilledInstanceLosesNoWalAndAnotherTakesTheStreamOver() throws Exception {
        TestServers servers = TestServers.get();
        servers.postgres().createDatabase(DATABASE);
        PostgresServer pg = servers.protectedPostgres();
        pg.createDatabase("crash_shop");
        try (Connection c = pg.connect("crash_shop"); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS orders (id bigserial PRIMARY KEY, at timestamptz DEFAULT clock_timestamp())");
        }
        Path password = TestSecrets.file("takeover-pg", pg.password());
        int portA = Ports.free();
        ServerProcess a = start("a", portA);
        assertThat(call(portA, "PUT", "/sources/crash-shop", "{\"kind\": \"postgres\", \"host\": \"127.0.0.1\", \"port\": " + pg.port()
                + ", \"database\": \"crash_shop\", \"user\": \"lifeboat\", \"passwordRef\": \"file:" + password
                + "\", \"continuous\": true, \"retention\": {\"keepLast\": 5}}").statusCode()).isEqualTo(201);
        String backup = field(call(portA, "POST", "/backups", "{\"source\": \"crash-shop\"}").body(), "id");
        await().atMost(Duration.ofSeconds(120)).until(() -> restorableUntil(portA) != null);
        assertThat(call(portA, "GET", "/backups/" + backup, null).body()).contains("\"phase\":\"Completed\"");

        AtomicBoolean writing = new AtomicBoolean(true);
        AtomicReference<Instant> lastCommit = new AtomicReference<>();
        Thread writer = new Thread(() -> {
            try (Connection c = pg.connect("crash_shop"); Statement s = c.createStatement()) {
                while (writing.get()) {
                    try (ResultSet rs = s.executeQuery("INSERT INTO orders DEFAULT VALUES RETURNING clock_timestamp()")) {
                        rs.next();
                        lastCommit.set(rs.getTimestamp(1).toInstant());
                    }
                    Thread.sleep(20);
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        writer.start();
        Thread.sleep(3000);
        new ProcessBuilder("kill", "-9", Long.toString(a.running().orElseThrow().pid())).start().waitFor();
        Instant killedAt = Instant.now();
        Thread.sleep(4000); // the source keeps writing while nobody streams: the slot keeps its WAL

        int portB = Ports.free();
        start("b", portB);
        Thread.sleep(3000);
        writing.set(false);
        writer.join();
        Instant last = lastCommit.get();
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500))
                .until(() -> restorableUntil(portB) != null && !restorableUntil(portB).isBefore(last));
        assertThat(call(portB, "GET", "/sources/crash-shop/wal", null).body()).contains("\"instance\":\"takeover-b\"");

        try (S3Client s3 = S3Client.builder().endpointOverride(URI.create(servers.s3().endpoint())).region(Region.US_EAST_1)
                .forcePathStyle(true).credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(
                        servers.s3().accessKey(), servers.s3().secretKey()))).httpClient(UrlConnectionHttpClient.create()).build()) {
            S3Config config = new BucketConfig(servers.s3().endpoint());
            ManifestAuthentication mac = ManifestAuthentication.fromKeyset(TestServers.MANIFEST_KEYSET, false);
            WalArchive archive = new WalArchive(s3, config, mac);
            RecoveryWindow window = RecoveryWindow.compute(archive, "crash-shop", new BackupBucket(s3, config, mac).manifests("crash-shop"));
            assertThat(window.gaps()).as("no segment is missing across the crash").isEmpty();
            assertThat(window.ranges()).as("one range from the base backup, across the crash, to the last write").hasSize(1);
            assertThat(window.ranges().get(0).from()).isBefore(killedAt);
            assertThat(window.latest()).hasValueSatisfying(latest -> assertThat(latest).isAfterOrEqualTo(last));
        }
    }

    /** The bucket as the packaged instances use it. */
    private record BucketConfig(String endpoint) implements S3Config {
        public String region() { return "us-east-1"; }
        public String accessKey() { return TestServers.get().s3().accessKey(); }
        public String secretKey() { return TestServers.get().s3().secretKey(); }
        public String bucket() { return BUCKET; }
        public String prefix() { return "backups"; }
        public boolean pathStyle() { return true; }
    }

    private static final class FailedResponse implements HttpResponse<String> {
        public int statusCode() { return 0; }
        public HttpRequest request() { return null; }
        public java.util.Optional<HttpResponse<String>> previousResponse() { return java.util.Optional.empty(); }
        public java.net.http.HttpHeaders headers() { return java.net.http.HttpHeaders.of(Map.of(), (x, y) -> true); }
        public String body() { return ""; }
        public java.util.Optional<javax.net.ssl.SSLSession> sslSession() { return java.util.Optional.empty(); }
        public URI uri() { return null; }
        public HttpClient.Version version() { return HttpClient.Version.HTTP_1_1; }
    }
}

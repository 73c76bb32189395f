package io.lifeboat.backup;

import io.lifeboat.testsupport.Scratch;
import io.lifeboat.stack.Ports;
import io.lifeboat.stack.ServerProcess;
import io.lifeboat.testsupport.TestServers;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two instances of the packaged backup-service against one database (how it scales out): every due schedule
 * slot runs exactly one backup, and the two outbox relays publish each event once.
 */
class TwoInstancesIT {

    private static final String DATABASE = "lifeboat_backup_two";
    private static final List<ServerProcess> instances = new ArrayList<>();
    private static final List<Integer> ports = new ArrayList<>();
    private static final HttpClient http = HttpClient.newHttpClient();
    private static String token;

    @BeforeAll
    static void startTwoInstances() throws Exception {
        TestServers servers = TestServers.get();
        servers.postgres().createDatabase(DATABASE);
        token = servers.token("operator");
        for (String name : List.of("a", "b")) {
            ports.add(Ports.free());
            instances.add(start(name, ports.get(ports.size() - 1)));
        }
        for (int i = 0; i < 2; i++) {
            awaitReady(instances.get(i), ports.get(i));
        }
    }

    private static ServerProcess start(String name, int port) throws Exception {
        TestServers servers = TestServers.get();
        Path jar = Path.of(System.getProperty("lifeboat.service.jar"));
        ServerProcess process = new ServerProcess("backup-service-" + name, servers.root().resolve("logs/backup-" + name + ".log"),
                servers.root().resolve("run/backup-" + name + ".pid"));
        process.start(servers.packagedServiceCommand(jar.toString(), port, DATABASE, "lifeboat-two-instances", Map.of(
                "lifeboat.backup.instance-id", "instance-" + name,
                "lifeboat.backup.scheduler-every", "1s",
                "lifeboat.outbox.poll-interval", "100ms",
                "lifeboat.backup.encryption.keyset-file", servers.root().resolve("keys/two-keyset.json").toString())),
                servers.root(), Map.of());
        return process;
    }

    private static void awaitReady(ServerProcess process, int port) {
        process.awaitReady(() -> get(port, "/q/health/ready").statusCode() == 200, Duration.ofSeconds(120));
    }

    @AfterAll
    static void stop() {
        instances.forEach(p -> p.stop(Duration.ofSeconds(20)));
    }

    @Test
    void eachScheduledSlotRunsOnceAndEachEventIsPublishedOnce() throws Exception {
        Path dir = Scratch.directory("two-instances");
        Files.writeString(dir.resolve("data.txt"), "vectors\n".repeat(1000));
        HttpResponse<String> put = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ports.get(0) + "/sources/two-inst"))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString("{\"kind\": \"directory\", \"path\": \"" + dir
                        + "\", \"retention\": {\"keepLast\": 10}}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(put.statusCode()).isEqualTo(201);

        int slots = 3;
        for (int slot = 1; slot <= slots; slot++) {
            int expected = slot;
            // make the daily schedule due now; both instances' schedulers (every second) race for it
            sql("UPDATE source SET next_run_at = now() - interval '1 second' WHERE name = 'two-inst'");
            await().atMost(Duration.ofSeconds(60)).until(() -> count("SELECT count(*) FROM backup WHERE source = 'two-inst' "
                    + "AND phase = 'Completed'") == expected && count("SELECT count(*) FROM backup WHERE source = 'two-inst' "
                    + "AND phase IN ('New', 'InProgress')") == 0);
            Thread.sleep(2500); // both schedulers have looked at the slot again by now
        }
        assertThat(count("SELECT count(*) FROM backup WHERE source = 'two-inst'")).isEqualTo(slots);

        await().atMost(Duration.ofSeconds(30)).until(() -> count("SELECT count(*) FROM outbox_event WHERE sent_at IS NULL") == 0);
        Set<String> outboxIds = new java.util.HashSet<>();
        try (Connection c = TestServers.get().postgres().connect(DATABASE); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT event_id FROM outbox_event WHERE message_key = 'two-inst'")) {
            while (rs.next()) outboxIds.add(rs.getString(1));
        }
        // source.updated + (started + completed + verified after backup) per slot
        assertThat(outboxIds).hasSize(1 + 3 * slots);
        Map<String, Integer> published = new HashMap<>();
        Pattern idPattern = Pattern.compile("\"id\":\"([0-9a-f-]{36})\"");
        for (ConsumerRecord<String, String> r : TestServers.get().kafka().readTopic("lifeboat.backup", Duration.ofSeconds(5))) {
            if (!"two-inst".equals(r.key())) continue;
            Matcher m = idPattern.matcher(r.value());
            if (m.find()) published.merge(m.group(1), 1, Integer::sum);
        }
        assertThat(published.keySet()).containsExactlyInAnyOrderElementsOf(outboxIds);
        assertThat(published.values().stream().collect(Collectors.toSet())).containsOnly(1);
    }

    @Test
    void dueSlotsSpreadOverBothInstancesAndEachRunsOnce() throws Exception {
        // each backup waits in its pre-hook until released, so an instance holds its two slots (maxParallel 2) while
        // the other claims the rest: both instances provably run scheduled backups, whatever the timing
        Path go = Scratch.directory("two-spread").resolve("go");
        String admin = TestServers.get().token("admin");
        List<String> sources = List.of("spread-1", "spread-2", "spread-3", "spread-4");
        for (String name : sources) {
            Path dir = Scratch.directory(name);
            Files.writeString(dir.resolve("data.txt"), name);
            HttpResponse<String> put = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ports.get(0) + "/sources/" + name))
                    .header("Authorization", "Bearer " + admin).header("Content-Type", "application/json")
                    .PUT(HttpRequest.BodyPublishers.ofString("{\"kind\": \"directory\", \"path\": \"" + dir
                            + "\", \"preHook\": \"while [ ! -e " + go + " ]; do sleep 0.1; done\"}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(put.statusCode()).as(put.body()).isEqualTo(201);
        }
        sql("UPDATE source SET next_run_at = now() - interval '1 second' WHERE name LIKE 'spread-%'");
        await().atMost(Duration.ofSeconds(60)).until(() -> count("SELECT count(*) FROM backup WHERE source LIKE 'spread-%' "
                + "AND phase = 'InProgress'") == 4);
        assertThat(count("SELECT count(DISTINCT owner_instance) FROM backup WHERE source LIKE 'spread-%'")).isEqualTo(2);
        assertThat(count("SELECT max(n) FROM (SELECT count(*) n FROM backup WHERE source LIKE 'spread-%' "
                + "GROUP BY owner_instance) per_instance")).isEqualTo(2);
        Files.createFile(go);
        await().atMost(Duration.ofSeconds(60)).until(() -> count("SELECT count(*) FROM backup WHERE source LIKE 'spread-%' "
                + "AND phase = 'Completed'") == 4);
        Thread.sleep(2500); // both schedulers have looked at the slots again by now
        assertThat(count("SELECT count(*) FROM backup WHERE source LIKE 'spread-%'")).isEqualTo(4);
    }

    @Test
    void aBackupKilledMidwayIsFailedByTheRestartedInstanceAndItsUploadAborted() throws Exception {
        Path big = BackupReliabilityTest.incompressibleDirectory("killed", 200);
        int port = ports.get(0);
        HttpResponse<String> put = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/sources/killed"))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString("{\"kind\": \"directory\", \"path\": \"" + big + "\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(put.statusCode()).isEqualTo(201);
        HttpResponse<String> started = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/backups"))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"source\": \"killed\"}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(started.statusCode()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).until(() ->
                count("SELECT count(*) FROM backup WHERE source = 'killed' AND phase = 'InProgress' AND upload_id IS NOT NULL "
                        + "AND progress_bytes > 0") == 1);

        // kill -9 the instance running it, then start it again (same instance id)
        ProcessHandle victim = instances.get(0).running().orElseThrow();
        victim.destroyForcibly();
        victim.onExit().get();
        assertThat(count("SELECT count(*) FROM backup WHERE source = 'killed' AND phase = 'InProgress'")).isEqualTo(1);
        instances.set(0, start("a", port));
        awaitReady(instances.get(0), port);

        await().atMost(Duration.ofSeconds(30)).until(() -> count("SELECT count(*) FROM backup WHERE source = 'killed' "
                + "AND phase = 'Failed' AND error LIKE '%interrupted by restart%' AND upload_id IS NULL") == 1);
        assertThat(count("SELECT count(*) FROM outbox_event WHERE type = 'lifeboat.backup.failed.v1' AND message_key = 'killed'"))
                .isEqualTo(1);
        var s3 = io.lifeboat.testsupport.TestServers.get().s3();
        try (var client = software.amazon.awssdk.services.s3.S3Client.builder()
                .endpointOverride(URI.create(s3.endpoint())).region(software.amazon.awssdk.regions.Region.US_EAST_1)
                .forcePathStyle(true).httpClient(software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient.create())
                .credentialsProvider(software.amazon.awssdk.auth.credentials.StaticCredentialsProvider.create(
                        software.amazon.awssdk.auth.credentials.AwsBasicCredentials.create(s3.accessKey(), s3.secretKey())))
                .build()) {
            assertThat(client.listMultipartUploads(b -> b.bucket("lifeboat-two-instances").prefix("backups/killed/")).uploads()).isEmpty();
            assertThat(client.listObjectsV2(b -> b.bucket("lifeboat-two-instances").prefix("backups/killed/")).contents()).isEmpty();
        }
    }

    private static HttpResponse<String> get(int port, String path) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            return new FailedResponse();
        }
    }

    private static void sql(String statement) throws Exception {
        try (Connection c = TestServers.get().postgres().connect(DATABASE); Statement s = c.createStatement()) {
            s.executeUpdate(statement);
        }
    }

    private static long count(String query) throws Exception {
        try (Connection c = TestServers.get().postgres().connect(DATABASE); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(query)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** A response for a connection that was refused (the instance is still starting). */
    private static final class FailedResponse implements HttpResponse<String> {
        public int statusCode() { return 0; }
        public HttpRequest request() { return null; }
        public java.util.Optional<HttpResponse<String>> previousResponse() { return java.util.Optional.empty(); }
        public java.net.http.HttpHeaders headers() { return java.net.http.HttpHeaders.of(Map.of(), (a, b) -> true); }
        public String body() { return ""; }
        public java.util.Optional<javax.net.ssl.SSLSession> sslSession() { return java.util.Optional.empty(); }
        public URI uri() { return null; }
        public HttpClient.Version version() { return HttpClient.Version.HTTP_1_1; }
    }
}

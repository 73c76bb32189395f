package io.lifeboat.backup;

import io.lifeboat.testsupport.Scratch;
import io.agroal.api.AgroalDataSource;
import io.lifeboat.backup.backup.Backup;
import io.lifeboat.backup.backup.BackupPhase;
import io.lifeboat.backup.backup.BackupRecovery;
import io.lifeboat.backup.backup.BackupScheduler;
import io.lifeboat.backup.backup.InstanceId;
import io.lifeboat.bucket.S3Config;
import io.lifeboat.testsupport.TestServers;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static io.lifeboat.backup.Backups.*;
import static io.lifeboat.backup.RealServers.as;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.*;

/** Failure paths against the real S3Proxy, PostgreSQL and broker. */
@QuarkusTest
class BackupReliabilityTest {

    @Inject
    S3Client s3;

    @Inject
    S3Config s3Config;

    @Inject
    BackupRecovery recovery;

    @Inject
    BackupScheduler scheduler;

    @Inject
    InstanceId instanceId;

    @Inject
    AgroalDataSource dataSource;

    @Test
    void s3GoingAwayMidUploadFailsTheBackupWithNoManifest() throws Exception {
        Path big = incompressibleDirectory("s3-down", 160);
        putSource("s3-down-t", "{\"kind\": \"directory\", \"path\": \"" + big + "\"}");
        String id = start("s3-down-t");
        // stop S3 as soon as the multipart upload exists: the data is then still streaming
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
                .until(() -> QuarkusTransaction.requiringNew().call(() -> Backup.<Backup>findById(id).uploadId != null)
                        || !"InProgress".equals(get(id).getString("phase")));
        TestServers.get().s3().stop();
        JsonPath b;
        try {
            b = finished(id);
        } finally {
            TestServers.get().s3().start(Duration.ofSeconds(60));
        }
        assertThat(b.getString("phase")).isEqualTo("Failed");
        // where it fails depends on how far the upload got: mid-stream, or done and the manifest not writable
        assertThat(b.getString("failedStep")).isIn("upload", "read-source", "manifest");
        assertThat(b.getString("error")).isNotBlank();
        recovery.failInterrupted();
        callAbortLeftovers();
        assertThat(s3.listObjectsV2(r -> r.bucket(s3Config.bucket()).prefix("backups/s3-down-t/")).contents()).isEmpty();
        assertThat(s3.listMultipartUploads(r -> r.bucket(s3Config.bucket()).prefix("backups/s3-down-t/")).uploads()).isEmpty();
        assertThat(outboxHas("lifeboat.backup.failed.v1", id)).isTrue();
    }

    @Test
    void aFailedBackupsDataWithoutItsManifestIsDeletedAndDataWithAManifestIsKept() throws Exception {
        // failed backups whose upload had completed: one never got its manifest (S3 went away at that moment),
        // the other did (only the database missed the commit), so the bucket says it is a backup
        String orphan = "backups/orphan-t/2026/11/25/orphan-1/";
        String committed = "backups/orphan-t/2026/11/25/orphan-2/";
        for (String folder : List.of(orphan, committed)) {
            s3.putObject(r -> r.bucket(s3Config.bucket()).key(folder + "data"), RequestBody.fromString("bytes"));
        }
        s3.putObject(r -> r.bucket(s3Config.bucket()).key(committed + "manifest.json"), RequestBody.fromString("{}"));
        QuarkusTransaction.requiringNew().run(() -> {
            for (String id : List.of("orphan-1", "orphan-2")) {
                Backup b = new Backup();
                b.id = id;
                b.source = "orphan-t";
                b.kind = "directory";
                b.phase = BackupPhase.Failed;
                b.trigger = "manual";
                b.createdAt = Instant.now();
                String folder = id.equals("orphan-1") ? orphan : committed;
                b.objectKey = folder + "data";
                b.manifestKey = folder + "manifest.json";
                b.uploadId = "completed-upload-" + id;
                b.persist();
            }
        });
        callAbortLeftovers();
        assertThat(s3.listObjectsV2(r -> r.bucket(s3Config.bucket()).prefix("backups/orphan-t/")).contents())
                .extracting(o -> o.key()).containsExactlyInAnyOrder(committed + "data", committed + "manifest.json");
        assertThat(QuarkusTransaction.requiringNew().call(() ->
                Backup.count("uploadId IS NOT NULL AND source = 'orphan-t'"))).isZero();
    }

    @Test
    void aSecondBackupOfTheSameSourceIsRefusedWhileOneRuns() throws Exception {
        Path big = incompressibleDirectory("busy", 60);
        putSource("busy-t", "{\"kind\": \"directory\", \"path\": \"" + big + "\"}");
        String first = start("busy-t");
        as("operator").contentType(ContentType.JSON).body("{\"source\": \"busy-t\"}").post("/backups")
                .then().statusCode(409).contentType("application/problem+json").body("detail", containsString(first));
        assertThat(finished(first).getString("phase")).isEqualTo("Completed");
    }

    @Test
    void aBackupInterruptedByARestartBecomesFailedAndItsUploadIsAborted() throws Exception {
        String key = "backups/crashed-t/2026/11/25/crashed-t-20261125T020000Z-dead/data";
        String uploadId = s3.createMultipartUpload(r -> r.bucket(s3Config.bucket()).key(key)).uploadId();
        QuarkusTransaction.requiringNew().run(() -> {
            Backup b = new Backup();
            b.id = "crashed-t-20261125T020000Z-dead";
            b.source = "crashed-t";
            b.kind = "directory";
            b.phase = BackupPhase.InProgress;
            b.trigger = "manual";
            b.actor = "test";
            b.createdAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
            b.startedAt = b.createdAt;
            b.heartbeatAt = b.createdAt;
            b.ownerInstance = instanceId.value();
            b.objectKey = key;
            b.uploadId = uploadId;
            b.persist();
        });
        // what the service does at start-up after a crash
        recovery.failInterrupted();
        JsonPath b = get("crashed-t-20261125T020000Z-dead");
        assertThat(b.getString("phase")).isEqualTo("Failed");
        assertThat(b.getString("error")).contains("interrupted by restart");
        assertThat(s3.listMultipartUploads(r -> r.bucket(s3Config.bucket()).prefix("backups/crashed-t/")).uploads()).isEmpty();
        assertThat(outboxHas("lifeboat.backup.failed.v1", "crashed-t-20261125T020000Z-dead")).isTrue();
    }

    @Test
    void aDueScheduleIsClaimedOnceEvenWhenTwoSchedulersRaceForIt() throws Exception {
        Path dir = DirectoryBackupTest.chromaLikeDirectory("sched");
        putSource("sched-t", "{\"kind\": \"directory\", \"path\": \"" + dir + "\", \"schedule\": \"0 2 * * *\"}");
        try (Connection c = dataSource.getConnection()) {
            c.createStatement().executeUpdate("UPDATE source SET next_run_at = now() - interval '1 minute' WHERE name = 'sched-t'");
        }
        Instant now = Instant.now();
        var pool = Executors.newFixedThreadPool(2);
        List<Future<List<String>>> claims = new ArrayList<>();
        Callable<List<String>> run = () -> scheduler.runDue(now);
        claims.add(pool.submit(run));
        claims.add(pool.submit(run));
        long claimedSchedTimes = 0;
        for (Future<List<String>> f : claims) {
            claimedSchedTimes += f.get().stream().filter("sched-t"::equals).count();
        }
        pool.shutdown();
        assertThat(claimedSchedTimes).isEqualTo(1);
        await().atMost(Duration.ofSeconds(60)).until(() -> "Completed".equals(
                as("viewer").queryParam("source", "sched-t").get("/backups").then().extract().path("items[0].phase")));
        as("viewer").queryParam("source", "sched-t").get("/backups").then()
                .body("items.size()", is(1)).body("items[0].trigger", is("schedule"));
        as("viewer").get("/sources/sched-t").then().body("nextRunAt", endsWith("T02:00:00Z"));
    }

    @Test
    void badInputIsRejectedWithTheFieldNamed() {
        as("operator").contentType(ContentType.JSON).body("{\"source\": \"nope-t\"}").post("/backups")
                .then().statusCode(404).body("detail", containsString("nope-t"));
        as("operator").contentType(ContentType.JSON).body("{}").post("/backups")
                .then().statusCode(400).body("errors.field", hasItem("source"));
        as("viewer").queryParam("limit", 0).get("/backups").then().statusCode(400).body("errors.field", hasItem("limit"));
        as("viewer").queryParam("phase", "Exploded").get("/backups").then().statusCode(400).body("errors.field", hasItem("phase"));
        as("viewer").queryParam("cursor", "!!").get("/backups").then().statusCode(400).body("errors.field", hasItem("cursor"));
        as("viewer").get("/backups/no-such-backup").then().statusCode(404);
        as("viewer").contentType(ContentType.JSON).body("{\"source\": \"x\"}").post("/backups").then().statusCode(403);
    }

    private void callAbortLeftovers() throws Exception {
        var method = BackupRecovery.class.getDeclaredMethod("abortLeftoverUploads");
        method.setAccessible(true);
        method.invoke(recovery);
    }

    private boolean outboxHas(String type, String backupId) throws Exception {
        try (Connection c = dataSource.getConnection();
             ResultSet rs = c.createStatement().executeQuery("SELECT count(*) FROM outbox_event WHERE type = '" + type
                     + "' AND payload LIKE '%" + backupId + "%'")) {
            rs.next();
            return rs.getInt(1) == 1;
        }
    }

    static Path incompressibleDirectory(String name, int mib) throws Exception {
        Path root = Scratch.directory("lifeboat-" + name);
        Random random = new Random(11);
        byte[] chunk = new byte[1 << 20];
        for (int f = 0; f < 4; f++) {
            try (OutputStream out = Files.newOutputStream(root.resolve("segment-" + f + ".bin"))) {
                for (int i = 0; i < mib / 4; i++) {
                    random.nextBytes(chunk);
                    out.write(chunk);
                }
            }
        }
        return root;
    }
}

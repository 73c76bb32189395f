package io.lifeboat.restore;

import io.lifeboat.bucket.wal.WalArchive;
import io.lifeboat.events.storage.BackupManifest;
import io.lifeboat.stack.PostgresServer;
import io.lifeboat.testsupport.TestSecrets;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import software.amazon.awssdk.services.s3.S3Client;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;

import static io.lifeboat.restore.RealServers.as;
import static io.lifeboat.restore.Restores.finished;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.anyOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;

/**
 * Point-in-time restore of a continuous source from the bucket alone: rows committed before an instant T are
 * there and none after, the table dropped after T is back; an instant outside the window is refused with the
 * window; the newest restore replays to the end (the drop included).
 */
@QuarkusTest
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PointInTimeRestoreTest {

    static ContinuousFixtures fixtures;
    static BackupManifest base;
    static Instant beforeBase;
    static Instant t;
    static Instant covered;

    @Inject
    S3Client s3;

    @Inject
    WalArchive archive;

    @BeforeAll
    static void history() throws Exception {
        fixtures = ContinuousFixtures.start("pitr-shop", "pitr_shop");
        fixtures.sql("pitr_shop", "DROP TABLE IF EXISTS events; CREATE TABLE events (id serial PRIMARY KEY, "
                + "at timestamptz NOT NULL DEFAULT clock_timestamp(), note text)");
        fixtures.sql("pitr_shop", "INSERT INTO events (note) SELECT 'before the base backup' FROM generate_series(1, 100)");
        beforeBase = fixtures.now();
    }

    @AfterAll
    static void stop() throws Exception {
        if (fixtures != null) fixtures.close();
    }

    private void target(String name) {
        PostgresServer pg = fixtures.pg;
        Path password = TestSecrets.file("pitr-pg", pg.password());
        as("admin").contentType(ContentType.JSON).body("""
                {"kind": "postgres", "host": "127.0.0.1", "port": %d, "database": "pitr_scratch", "user": "%s",
                 "passwordRef": "file:%s"}""".formatted(pg.port(), PostgresServer.SUPERUSER, password))
                .put("/targets/" + name).then().statusCode(anyOf(is(200), is(201)));
    }

    private JsonPath restore(String selector, String restoreAs) {
        String id = as("operator").contentType(ContentType.JSON).body("""
                {"source": "pitr-shop", "backup": %s, "target": "pitr-t", "mode": "new", "restoreAs": "%s"}"""
                .formatted(selector, restoreAs)).post("/restores").then().statusCode(202).extract().path("id");
        return finished(id);
    }

    @Test
    @Order(1)
    void aRestoreToAnInstantHasEveryRowCommittedBeforeItAndNoneAfter() throws Exception {
        BackupFixtures.ensureBucket(s3);
        base = fixtures.baseBackup(s3);
        fixtures.sql("pitr_shop", "INSERT INTO events (note) SELECT 'before T' FROM generate_series(1, 50)");
        t = fixtures.now();
        Thread.sleep(200);
        fixtures.sql("pitr_shop", "INSERT INTO events (note) SELECT 'after T' FROM generate_series(1, 30)");
        fixtures.sql("pitr_shop", "DROP TABLE events"); // the accident
        covered = fixtures.archiveWal(archive);
        target("pitr-t");

        JsonPath r = restore("{\"at\": \"" + t + "\"}", "pitr_at_t");
        assertThat(r.getString("phase")).as(r.prettify()).isEqualTo("Completed");
        assertThat(r.getString("pointInTime.recoveryTarget")).isEqualTo("time");
        assertThat(Instant.parse(r.getString("recoveryPointAt"))).isEqualTo(t);
        assertThat(r.getString("backupId")).isEqualTo(base.backupId());
        assertThat(r.getList("steps.name")).contains("plan-recovery", "download-base", "download-wal", "recover", "restore", "verify");
        assertThat(r.getString("steps.find { it.name == 'recover' }.detail")).contains("recovered to " + t);
        assertThat(fixtures.count("pitr_at_t", "SELECT count(*) FROM events WHERE note = 'before the base backup'")).isEqualTo(100);
        assertThat(fixtures.count("pitr_at_t", "SELECT count(*) FROM events WHERE note = 'before T'")).isEqualTo(50);
        assertThat(fixtures.count("pitr_at_t", "SELECT count(*) FROM events WHERE note = 'after T'")).isZero();
        assertThat(fixtures.count("pitr_at_t", "SELECT count(*) FROM events WHERE at > '" + t + "'")).isZero();
        assertThat(r.getList("checks.findAll { it.name == 'row-count public.events' }.passed")).containsExactly(true);
    }

    @Test
    @Order(2)
    void theFirstInstantOfTheWindowIsTheBaseBackupsConsistentState() throws Exception {
        // the newest commit at or before that instant lies in the base backup's first WAL segment but before the
        // backup's consistency point, where PostgreSQL cannot stop: the state is the consistency point itself
        JsonPath r = restore("{\"at\": \"" + base.recoveryPointAt() + "\"}", "pitr_at_base");
        assertThat(r.getString("phase")).as(r.prettify()).isEqualTo("Completed");
        assertThat(fixtures.count("pitr_at_base", "SELECT count(*) FROM events WHERE note = 'before the base backup'")).isEqualTo(100);
        assertThat(fixtures.count("pitr_at_base", "SELECT count(*) FROM events WHERE note = 'before T'")).isZero();
    }

    @Test
    @Order(3)
    void theWindowRunsFromTheBaseBackupToTheStoredWal() {
        as("viewer").get("/catalog/pitr-shop/window").then().statusCode(200)
                .body("earliest", is(base.recoveryPointAt().toString()))
                .body("latest", is(covered.toString()))
                .body("byBaseBackup[0].baseBackupId", is(base.backupId()))
                .body("gaps.size()", is(0));
    }

    @Test
    @Order(4)
    void anInstantOutsideTheWindowIsRefusedNamingTheWindow() {
        as("operator").contentType(ContentType.JSON).body("""
                {"source": "pitr-shop", "backup": {"at": "%s"}, "target": "pitr-t", "mode": "new"}""".formatted(beforeBase))
                .post("/restores").then().statusCode(400)
                .body("errors.field", org.hamcrest.Matchers.hasItem("backup.at"))
                .body("detail", containsString("outside the recoverability window"))
                .body("detail", containsString(base.recoveryPointAt().toString()));
        as("operator").contentType(ContentType.JSON).body("""
                {"source": "pitr-shop", "backup": {"at": "%s"}, "target": "pitr-t", "mode": "new"}""".formatted(covered.plusSeconds(3600)))
                .post("/restores").then().statusCode(400).body("detail", containsString(covered.toString()));
    }

    @Test
    @Order(5)
    void theLatestRestoreReplaysTheWholeStoredWal() throws Exception {
        JsonPath r = restore("\"latest\"", "pitr_latest");
        assertThat(r.getString("phase")).as(r.prettify()).isEqualTo("Completed");
        assertThat(r.getString("pointInTime.recoveryTarget")).isEqualTo("latest");
        try (Connection c = fixtures.pg.connect("pitr_latest"); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_tables WHERE tablename = 'events'")) {
            rs.next();
            assertThat(rs.getLong(1)).as("the drop is in the WAL too: the newest state has no events table").isZero();
        }
    }

    @Test
    @Order(6)
    void aDamagedWalSegmentIsRefusedBeforeRecoveryStarts() throws Exception {
        String name = fixtures.uploaded().stream().sorted().reduce((a, b) -> b).orElseThrow();
        String key = fixtures.segmentKey(archive, name);
        byte[] good = s3.getObjectAsBytes(b -> b.bucket(BackupFixtures.BUCKET).key(key)).asByteArray();
        byte[] bad = good.clone();
        bad[bad.length - 10] ^= 0x55;
        s3.putObject(b -> b.bucket(BackupFixtures.BUCKET).key(key), software.amazon.awssdk.core.sync.RequestBody.fromBytes(bad));
        try {
            JsonPath r = restore("{\"at\": \"" + t + "\"}", "pitr_damaged");
            assertThat(r.getString("phase")).isEqualTo("Failed");
            assertThat(r.getString("failedStep")).isEqualTo("download-wal");
            assertThat(r.getString("error")).contains(name).contains("sha256").contains("target was not touched");
            assertThat(r.getList("steps.name")).doesNotContain("recover");
            assertThat(fixtures.count("postgres", "SELECT count(*) FROM pg_database WHERE datname = 'pitr_damaged'")).isZero();
        } finally {
            s3.putObject(b -> b.bucket(BackupFixtures.BUCKET).key(key), software.amazon.awssdk.core.sync.RequestBody.fromBytes(good));
        }
    }

    @Test
    @Order(7)
    void aSegmentMissingFromTheBucketIsAGapThatEndsTheWindow() throws Exception {
        fixtures.sql("pitr_shop", "CREATE TABLE later (id int)");
        fixtures.archiveWal(archive);
        java.util.Set<String> before = fixtures.uploaded();
        fixtures.sql("pitr_shop", "INSERT INTO later VALUES (1)");
        Instant afterGap = fixtures.archiveWal(archive);
        String lastBefore = before.stream().sorted().reduce((a, b) -> b).orElseThrow();
        String key = fixtures.segmentKey(archive, lastBefore);
        byte[] kept = s3.getObjectAsBytes(b -> b.bucket(BackupFixtures.BUCKET).key(key)).asByteArray();
        s3.deleteObject(b -> b.bucket(BackupFixtures.BUCKET).key(key));
        try {
            JsonPath window = as("viewer").get("/catalog/pitr-shop/window").then().statusCode(200).extract().jsonPath();
            assertThat(window.getList("gaps.missing")).containsExactly(lastBefore);
            assertThat(Instant.parse(window.getString("latest"))).isBefore(afterGap);
            as("operator").contentType(ContentType.JSON).body("""
                    {"source": "pitr-shop", "backup": {"at": "%s"}, "target": "pitr-t", "mode": "new"}""".formatted(afterGap))
                    .post("/restores").then().statusCode(400).body("detail", containsString(lastBefore));
        } finally {
            s3.putObject(b -> b.bucket(BackupFixtures.BUCKET).key(key), software.amazon.awssdk.core.sync.RequestBody.fromBytes(kept));
        }
        as("viewer").get("/catalog/pitr-shop/window").then().body("gaps.size()", is(0)).body("latest", is(afterGap.toString()));
    }

    @Test
    @Order(8)
    void aDatabaseDroppedAfterTheInstantComesBack() throws Exception {
        long later = fixtures.count("pitr_shop", "SELECT count(*) FROM later");
        Thread.sleep(1100);
        Instant beforeDrop = fixtures.now();
        Thread.sleep(1100);
        // DROP DATABASE removes the files before it commits: recovery must stop before that, not before the commit
        fixtures.sql("postgres", "DROP DATABASE pitr_shop WITH (FORCE)");
        fixtures.archiveWal(archive);
        JsonPath r = restore("{\"at\": \"" + beforeDrop + "\"}", "pitr_before_drop");
        assertThat(r.getString("phase")).as(r.prettify()).isEqualTo("Completed");
        assertThat(r.getString("steps.find { it.name == 'recover' }.detail")).contains("recovery stopping after WAL location");
        assertThat(fixtures.count("pitr_before_drop", "SELECT count(*) FROM later")).isEqualTo(later);
    }
}

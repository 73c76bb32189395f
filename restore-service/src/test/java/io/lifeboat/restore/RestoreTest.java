package io.lifeboat.restore;

import io.lifeboat.testsupport.Scratch;
import io.agroal.api.AgroalDataSource;
import io.lifeboat.events.storage.BackupManifest;
import io.lifeboat.events.storage.NewestTimestamp;
import io.lifeboat.restore.restore.RestoreRecovery;
import io.lifeboat.stack.PostgresServer;
import io.lifeboat.testsupport.TestSecrets;
import io.lifeboat.testsupport.TestServers;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

import static io.lifeboat.restore.RealServers.as;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.*;

/** Restores from the real bucket into the real PostgreSQL server and real folders. */
@QuarkusTest
class RestoreTest {

    static Path passwordFile;

    @Inject
    S3Client s3;

    @Inject
    AgroalDataSource dataSource;

    @Inject
    RestoreRecovery recovery;

    @BeforeAll
    static void setUp() throws Exception {
        passwordFile = TestSecrets.file("restore-pg", TestServers.get().postgres().password());
        BackupFixtures.keyset();
    }

    /** A postgres target on the test server whose replace touches {@code database}. */
    static void pgTarget(String name, String database, boolean production, String... httpCheckUrls) {
        PostgresServer pg = TestServers.get().postgres();
        as("admin").contentType(ContentType.JSON).body("""
                {"kind": "postgres", "host": "127.0.0.1", "port": %d, "database": "%s", "user": "%s", "passwordRef": "file:%s",
                 "production": %s, "httpCheckUrls": [%s]}"""
                .formatted(pg.port(), database, PostgresServer.SUPERUSER, passwordFile, production,
                        String.join(", ", java.util.Arrays.stream(httpCheckUrls).map(u -> "\"" + u + "\"").toList())))
                .put("/targets/" + name).then().statusCode(anyOf(is(200), is(201)));
    }

    /** A production directory target at {@code path}. */
    static void dirTarget(String name, Path path) {
        as("admin").contentType(ContentType.JSON).body("{\"kind\": \"directory\", \"path\": \"" + path + "\", \"production\": true}")
                .put("/targets/" + name).then().statusCode(anyOf(is(200), is(201)));
    }

    private static void sql(String database, String statements) throws Exception {
        try (Connection c = TestServers.get().postgres().connect(database); Statement s = c.createStatement()) {
            s.execute(statements);
        }
    }

    private static long count(String database, String query) throws Exception {
        try (Connection c = TestServers.get().postgres().connect(database); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(query)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static boolean databaseExists(String name) throws Exception {
        return count("postgres", "SELECT count(*) FROM pg_database WHERE datname = '" + name + "'") == 1;
    }

    private static String restore(String body) {
        return as("admin").contentType(ContentType.JSON).body(body).post("/restores")
                .then().statusCode(202).extract().path("id");
    }

    private static JsonPath finished(String id) {
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200)).until(() -> {
            String phase = as("viewer").get("/restores/" + id).then().extract().path("phase");
            return "Completed".equals(phase) || "Failed".equals(phase);
        });
        return as("viewer").get("/restores/" + id).then().statusCode(200).extract().jsonPath();
    }

    private BackupManifest shopBackup(String source, String database, boolean encrypt) throws Exception {
        return shopBackup(source, database, encrypt, null);
    }

    /** A backup of a fresh shop database; {@code claimedNewest} overrides the newest timestamp its manifest records. */
    private BackupManifest shopBackup(String source, String database, boolean encrypt, String claimedNewest) throws Exception {
        BackupFixtures.ensureBucket(s3);
        TestServers.get().postgres().createDatabase(database);
        sql(database, """
                DROP TABLE IF EXISTS analytics;
                CREATE TABLE analytics (id bigserial PRIMARY KEY, "timestamp" timestamptz, question text);
                INSERT INTO analytics ("timestamp", question) SELECT now() - g * interval '1 minute', 'q' || g FROM generate_series(1, 1200) g;""");
        String newest;
        try (Connection c = TestServers.get().postgres().connect(database); Statement s = c.createStatement()) {
            s.execute("SET TIME ZONE 'UTC'");
            ResultSet rs = s.executeQuery("SELECT max(\"timestamp\")::text FROM analytics");
            rs.next();
            newest = rs.getString(1);
        }
        return BackupFixtures.postgres(s3, source, database, Instant.now().truncatedTo(ChronoUnit.MICROS),
                Map.of("analytics", 1200L),
                Map.of("analytics", new NewestTimestamp("timestamp", claimedNewest == null ? newest : claimedNewest)), encrypt);
    }

    @Test
    void restoresADatabaseIntoANewDatabaseWithTimedStepsAndChecks() throws Exception {
        BackupManifest m = shopBackup("shop-new", "shop_new_src", false);
        String base = io.restassured.RestAssured.baseURI + ":" + io.restassured.RestAssured.port;
        pgTarget("pg-scratch", "scratch_new", false, base + "/q/health/");
        String id = restore("""
                {"source": "shop-new", "backup": "latest", "target": "pg-scratch", "mode": "new",
                 "checks": [{"type": "max-timestamp", "table": "analytics", "column": "timestamp", "tolerance": "PT1H"},
                            {"type": "http", "url": "%s/q/health/live", "status": 200, "contains": "UP"}]}"""
                .formatted(base));
        JsonPath r = finished(id);
        assertThat(r.getString("phase")).as(r.prettify()).isEqualTo("Completed");
        assertThat(r.getString("backupId")).isEqualTo(m.backupId());
        assertThat(r.getString("recoveryPointAt")).isEqualTo(m.recoveryPointAt().toString());
        assertThat(r.getList("steps.name")).containsExactly("identify-backup", "download-and-restore", "verify");
        assertThat(r.getList("steps.durationSeconds", Float.class)).allMatch(d -> d >= 0);
        assertThat(r.getList("checks.passed", Boolean.class)).hasSize(4).containsOnly(true);
        assertThat(r.getList("checks.name", String.class)).contains("newest-timestamp analytics.timestamp");
        String restoredAs = r.getString("restoredAs");
        assertThat(restoredAs).matches("scratch_new_restore_\\d{14}");
        assertThat(count(restoredAs, "SELECT count(*) FROM analytics")).isEqualTo(1200);
        assertThat(r.getLong("throughputBytesPerSecond")).isPositive();
        as("viewer").get("/restores").then().statusCode(200).body("items.id", hasItem(id));
    }

    @Test
    void replaceMovesTheDamagedDatabaseAsideAndSwapsInTheRestoredOne() throws Exception {
        shopBackup("shop-live", "shop_live", true);
        sql("shop_live", "DELETE FROM analytics WHERE id > 100; UPDATE analytics SET question = 'damaged'");
        pgTarget("pg-prod", "shop_live", true);
        String body = """
                {"source": "shop-live", "backup": "latest", "target": "pg-prod", "mode": "replace", "reason": "incident",
                 "incidentId": "INC-2026-0042", "confirm": "pg-prod"}""";
        as("operator").contentType(ContentType.JSON).body(body).post("/restores").then().statusCode(403)
                .body("detail", containsString("admin"));
        as("admin").contentType(ContentType.JSON).body(body.replace("\"confirm\": \"pg-prod\"", "\"confirm\": \"yes\""))
                .post("/restores").then().statusCode(400).body("errors.field", hasItem("confirm"));

        try (Connection holder = TestServers.get().postgres().connect("shop_live")) { // a client still connected
            JsonPath r = finished(restore(body));
            assertThat(r.getString("phase")).as(r.prettify()).isEqualTo("Completed");
            assertThat(r.getList("steps.name")).containsExactly("identify-backup", "download-and-restore", "verify", "swap");
            assertThat(r.getString("steps.find { it.name == 'swap' }.detail")).contains("terminated 1 connections");
            assertThat(r.getString("incidentId")).isEqualTo("INC-2026-0042");
            String aside = r.getString("movedAsideAs");
            assertThat(aside).matches("shop_live_corrupted_\\d{14}");
            assertThat(count("shop_live", "SELECT count(*) FROM analytics")).isEqualTo(1200);
            assertThat(count(aside, "SELECT count(*) FROM analytics")).isEqualTo(100);
            assertThat(count(aside, "SELECT count(*) FROM analytics WHERE question = 'damaged'")).isEqualTo(100);
            assertThat(holder.isValid(1)).isFalse();
        }
    }

    @Test
    void aDroppedDatabaseComesBack() throws Exception {
        shopBackup("shop-lost", "shop_lost", false);
        sql("postgres", "DROP DATABASE shop_lost WITH (FORCE)");
        pgTarget("pg-lost", "shop_lost", true);
        JsonPath r = finished(restore("{\"source\": \"shop-lost\", \"target\": \"pg-lost\", \"mode\": \"replace\", \"confirm\": \"pg-lost\"}"));
        assertThat(r.getString("phase")).as(r.prettify()).isEqualTo("Completed");
        assertThat(r.getString("movedAsideAs")).isNull();
        assertThat(count("shop_lost", "SELECT count(*) FROM analytics")).isEqualTo(1200);
    }

    @Test
    void aFailingCheckStopsAReplaceBeforeTheSwap() throws Exception {
        shopBackup("shop-check", "shop_check", false);
        sql("shop_check", "DELETE FROM analytics WHERE id > 10");
        pgTarget("pg-check", "shop_check", true);
        JsonPath r = finished(restore("""
                {"source": "shop-check", "target": "pg-check", "mode": "replace", "confirm": "pg-check",
                 "checks": [{"type": "row-count", "table": "analytics", "min": 1000000}]}"""));
        assertThat(r.getString("phase")).isEqualTo("Failed");
        assertThat(r.getString("failedStep")).isEqualTo("verify");
        assertThat(r.getString("error")).contains("row-count analytics");
        assertThat(count("shop_check", "SELECT count(*) FROM analytics")).isEqualTo(10);
    }

    @Test
    void aRestoredTableEndingBeforeTheBackupsNewestRowFailsVerificationAndIsNotSwappedIn() throws Exception {
        // the manifest says the backup's newest row is from 2099: what was restored does not end there
        shopBackup("shop-newest", "shop_newest", false, "2099-01-01 00:00:00+00");
        sql("shop_newest", "DELETE FROM analytics WHERE id > 10");
        pgTarget("pg-newest", "shop_newest", true);
        JsonPath r = finished(restore("{\"source\": \"shop-newest\", \"target\": \"pg-newest\", \"mode\": \"replace\", \"confirm\": \"pg-newest\"}"));
        assertThat(r.getString("phase")).as(r.prettify()).isEqualTo("Failed");
        assertThat(r.getString("failedStep")).isEqualTo("verify");
        assertThat(r.getString("error")).contains("newest-timestamp analytics.timestamp");
        assertThat(r.getString("checks.find { it.name == 'newest-timestamp analytics.timestamp' }.detail"))
                .contains("the backup recorded 2099-01-01 00:00:00+00");
        assertThat(count("shop_newest", "SELECT count(*) FROM analytics")).isEqualTo(10);
    }

    @Test
    void replaceOfADirectoryKeepsTheDamagedOneByteForByte() throws Exception {
        BackupFixtures.ensureBucket(s3);
        Path parent = Scratch.directory("restore-dir");
        Path chroma = parent.resolve("chroma_db");
        BackupFixtures.write(chroma.resolve("chroma.sqlite3"), "SQLite format 3 good");
        BackupFixtures.write(chroma.resolve("seg-1/data_level0.bin"), "vectors-good");
        BackupFixtures.directory(s3, "chroma-r", chroma, Instant.now().truncatedTo(ChronoUnit.MICROS));
        BackupFixtures.write(chroma.resolve("chroma.sqlite3"), "CORRUPTED");
        BackupFixtures.write(chroma.resolve("seg-1/extra.bin"), "junk");
        dirTarget("chroma-r", chroma);

        JsonPath r = finished(restore("{\"source\": \"chroma-r\", \"target\": \"chroma-r\", \"mode\": \"replace\", \"confirm\": \"chroma-r\"}"));
        assertThat(r.getString("phase")).as(r.prettify()).isEqualTo("Completed");
        Path aside = Path.of(r.getString("movedAsideAs"));
        assertThat(aside.getFileName().toString()).matches("chroma_db_corrupted_\\d{8}(_\\d{6})?");
        assertThat(Files.readString(chroma.resolve("chroma.sqlite3"))).isEqualTo("SQLite format 3 good");
        assertThat(Files.readString(chroma.resolve("seg-1/data_level0.bin"))).isEqualTo("vectors-good");
        assertThat(Files.exists(chroma.resolve("seg-1/extra.bin"))).isFalse();
        assertThat(Files.readString(aside.resolve("chroma.sqlite3"))).isEqualTo("CORRUPTED");
        assertThat(Files.readString(aside.resolve("seg-1/extra.bin"))).isEqualTo("junk");
        assertThat(Files.readString(aside.resolve("seg-1/data_level0.bin"))).isEqualTo("vectors-good");
        try (var left = Files.list(parent)) {
            assertThat(left.map(p -> p.getFileName().toString())).noneMatch(n -> n.contains("lifeboat-restore"));
        }
    }

    @Test
    void aCorruptedObjectFailsAtTheChecksumAndLeavesTheTargetUntouched() throws Exception {
        BackupFixtures.ensureBucket(s3);
        Path parent = Scratch.directory("restore-corrupt");
        Path dir = parent.resolve("data");
        BackupFixtures.write(dir.resolve("a.txt"), "original ".repeat(1000));
        BackupManifest m = BackupFixtures.directory(s3, "corrupt-r", dir, Instant.now().truncatedTo(ChronoUnit.MICROS));
        byte[] stored = s3.getObjectAsBytes(b -> b.bucket(BackupFixtures.BUCKET).key(m.objectKey())).asByteArray();
        stored[stored.length - 5] ^= 0x01;
        s3.putObject(b -> b.bucket(BackupFixtures.BUCKET).key(m.objectKey()), RequestBody.fromBytes(stored));
        BackupFixtures.write(dir.resolve("a.txt"), "current");
        dirTarget("corrupt-r", dir);

        JsonPath r = finished(restore("{\"source\": \"corrupt-r\", \"target\": \"corrupt-r\", \"mode\": \"replace\", \"confirm\": \"corrupt-r\"}"));
        assertThat(r.getString("phase")).isEqualTo("Failed");
        assertThat(r.getString("failedStep")).isEqualTo("download-and-extract");
        assertThat(r.getString("error")).contains("checksum mismatch").contains("target was not touched");
        assertThat(Files.readString(dir.resolve("a.txt"))).isEqualTo("current");
        try (var left = Files.list(parent)) {
            assertThat(left.map(p -> p.getFileName().toString())).containsExactly("data");
        }
    }

    /** A backup whose object is fetched as 64 KiB parts, two at a time, and whose files are incompressible. */
    private BackupManifest partedBackup(String source, Path dir) throws Exception {
        java.util.Random random = new java.util.Random(source.hashCode());
        for (String name : List.of("chroma.sqlite3", "seg-1/data_level0.bin", "seg-2/data_level0.bin")) {
            byte[] bytes = new byte[300_000 + random.nextInt(100_000)];
            random.nextBytes(bytes);
            Files.createDirectories(dir.resolve(name).getParent());
            Files.write(dir.resolve(name), bytes);
        }
        BackupManifest m = BackupFixtures.directory(s3, source, dir, Instant.now().truncatedTo(ChronoUnit.MICROS));
        return BackupFixtures.inParts(s3, m, 64 * 1024);
    }

    @Test
    void anObjectStoredInPartsIsFetchedPartByPartAndRestoredExactly() throws Exception {
        BackupFixtures.ensureBucket(s3);
        Path parent = Scratch.directory("restore-parts");
        Path dir = parent.resolve("data");
        BackupManifest m = partedBackup("parts-r", dir);
        assertThat(m.storedBytes()).isGreaterThan(10 * 64 * 1024);
        Map<String, byte[]> original = new java.util.HashMap<>();
        for (String name : List.of("chroma.sqlite3", "seg-1/data_level0.bin", "seg-2/data_level0.bin")) {
            original.put(name, Files.readAllBytes(dir.resolve(name)));
        }
        BackupFixtures.write(dir.resolve("chroma.sqlite3"), "CORRUPTED");
        dirTarget("parts-r", dir);

        JsonPath r = finished(restore("{\"source\": \"parts-r\", \"target\": \"parts-r\", \"mode\": \"replace\", \"confirm\": \"parts-r\"}"));
        assertThat(r.getString("phase")).as(r.prettify()).isEqualTo("Completed");
        assertThat(Thread.getAllStackTraces().keySet()).as("parts were fetched by the download threads")
                .anyMatch(t -> t.getName().startsWith("s3-part-download-"));
        for (var e : original.entrySet()) {
            assertThat(Files.readAllBytes(dir.resolve(e.getKey()))).as(e.getKey()).isEqualTo(e.getValue());
        }
    }

    @Test
    void aDamagedPartFailsAtTheChecksumAndLeavesTheTargetUntouched() throws Exception {
        BackupFixtures.ensureBucket(s3);
        Path parent = Scratch.directory("restore-part-damaged");
        Path dir = parent.resolve("data");
        BackupManifest m = partedBackup("part-damaged-r", dir);
        byte[] stored = s3.getObjectAsBytes(b -> b.bucket(BackupFixtures.BUCKET).key(m.objectKey())).asByteArray();
        stored[5 * 64 * 1024 + 100] ^= 0x01; // in the sixth part, fetched by a download thread
        s3.putObject(b -> b.bucket(BackupFixtures.BUCKET).key(m.objectKey()), RequestBody.fromBytes(stored));
        BackupFixtures.write(dir.resolve("chroma.sqlite3"), "current");
        dirTarget("part-damaged-r", dir);

        JsonPath r = finished(restore("{\"source\": \"part-damaged-r\", \"target\": \"part-damaged-r\", \"mode\": \"replace\", \"confirm\": \"part-damaged-r\"}"));
        assertThat(r.getString("phase")).isEqualTo("Failed");
        assertThat(r.getString("error")).contains("checksum mismatch").contains("target was not touched");
        assertThat(Files.readString(dir.resolve("chroma.sqlite3"))).isEqualTo("current");
    }

    @Test
    void aPartedObjectLongerThanItsManifestSaysIsRefused() throws Exception {
        BackupFixtures.ensureBucket(s3);
        Path parent = Scratch.directory("restore-part-longer");
        Path dir = parent.resolve("data");
        BackupManifest m = partedBackup("part-longer-r", dir);
        byte[] stored = s3.getObjectAsBytes(b -> b.bucket(BackupFixtures.BUCKET).key(m.objectKey())).asByteArray();
        byte[] longer = java.util.Arrays.copyOf(stored, stored.length + 10); // bytes the manifest never counted
        s3.putObject(b -> b.bucket(BackupFixtures.BUCKET).key(m.objectKey()), RequestBody.fromBytes(longer));
        BackupFixtures.write(dir.resolve("chroma.sqlite3"), "current");
        dirTarget("part-longer-r", dir);

        JsonPath r = finished(restore("{\"source\": \"part-longer-r\", \"target\": \"part-longer-r\", \"mode\": \"replace\", \"confirm\": \"part-longer-r\"}"));
        assertThat(r.getString("phase")).isEqualTo("Failed");
        assertThat(r.getString("error")).contains("the stored object has " + longer.length + " bytes, the manifest says " + stored.length);
        assertThat(Files.readString(dir.resolve("chroma.sqlite3"))).isEqualTo("current");
    }

    @Test
    void aBackupEncryptedWithAnUnknownKeyIsRefusedClearly() throws Exception {
        BackupFixtures.ensureBucket(s3);
        BackupManifest m = shopBackup("shop-key", "shop_key", false);
        // the same data claimed to be encrypted with a key this service does not hold
        BackupManifest foreign = new BackupManifest(m.formatVersion(), m.backupId(), m.source(), m.kind(), m.recoveryPointAt(),
                m.startedAt(), m.completedAt(), m.sizeBytes(), m.storedBytes(), m.sha256(), m.objectKey(), "zstd",
                new io.lifeboat.events.backup.Encryption("AES256_GCM_HKDF_1MB", "tink-12345"), m.database(), null, m.host(),
                m.port(), null, null, Map.of(), Map.of(), null, null, null, m.partBytes(), null, null);
        String manifestKey = m.objectKey().replace("/data", "/manifest.json");
        BackupFixtures.writeManifest(s3, manifestKey, foreign);
        try {
            // a backup nobody here can decrypt makes the service not ready, with the key named
            io.restassured.RestAssured.given().get("/q/health/ready").then().statusCode(503)
                    .body("checks.find { it.name == 'backup decryption keys' }.data.missing", containsString("tink-12345"));
            pgTarget("pg-key", "shop_key", true);
            JsonPath r = finished(restore("{\"source\": \"shop-key\", \"target\": \"pg-key\", \"mode\": \"replace\", \"confirm\": \"pg-key\"}"));
            assertThat(r.getString("phase")).isEqualTo("Failed");
            assertThat(r.getString("failedStep")).isEqualTo("identify-backup");
            assertThat(r.getString("error")).contains("tink-12345").contains("not in the keyset");
            assertThat(count("shop_key", "SELECT count(*) FROM analytics")).isEqualTo(1200);
        } finally {
            s3.deleteObject(b -> b.bucket(BackupFixtures.BUCKET).key(manifestKey));
        }
        io.restassured.RestAssured.given().get("/q/health/ready").then().statusCode(200);
    }

    @Test
    void theWholeCatalogueHoldsEverySourcesBackupsAndNothingFromTheirChunkStores() throws Exception {
        // more sources than are listed at once, so some wait their turn
        Path dir = Scratch.directory("catalogue-many");
        BackupFixtures.write(dir.resolve("a.txt"), "a");
        Instant point = Instant.parse("2021-03-04T05:06:07Z");
        List<String> expected = new java.util.ArrayList<>();
        for (int i = 0; i < 12; i++) {
            BackupManifest m = BackupFixtures.directory(s3, "catalogue-many-" + i, dir, point.plusSeconds(i));
            expected.add(m.backupId());
            if (i == 0) {
                // a signed manifest in the source's chunk store is not a backup of it: the catalogue never reads there
                BackupFixtures.writeManifest(s3, "backups/catalogue-many-0/chunks/stray/manifest.json", m);
            }
        }
        JsonPath catalogue = as("viewer").queryParam("limit", 1000).queryParam("before", point.plusSeconds(60).toString())
                .get("/catalog").then().statusCode(200).extract().jsonPath();
        assertThat(catalogue.getList("items.backupId", String.class).stream().filter(id -> id.startsWith("catalogue-many-")).toList())
                .containsExactlyInAnyOrderElementsOf(expected);
        assertThat(catalogue.getList("refused.key", String.class)).noneMatch(key -> key.contains("/chunks/"));
    }

    @Test
    void withItsDatabaseEmptiedTheServiceStillRestoresFromTheBucketAlone() throws Exception {
        shopBackup("shop-bucket", "shop_bucket_src", false);
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.execute("TRUNCATE restore, processed_event");
        }
        as("viewer").get("/catalog/shop-bucket/latest").then().statusCode(200).body("source", is("shop-bucket"));
        pgTarget("pg-bucket", "bucket_scratch", false);
        JsonPath r = finished(restore("{\"source\": \"shop-bucket\", \"backup\": \"latest\", \"target\": \"pg-bucket\"}"));
        assertThat(r.getString("phase")).as(r.prettify()).isEqualTo("Completed");
        assertThat(count(r.getString("restoredAs"), "SELECT count(*) FROM analytics")).isEqualTo(1200);
    }

    @Test
    void aDirectoryRestoreInterruptedMidSwapGetsItsOldDataBack() throws Exception {
        Path parent = Scratch.directory("restore-crash");
        Path dir = parent.resolve("chroma_db");
        Path aside = parent.resolve("chroma_db_corrupted_20261125");
        BackupFixtures.write(aside.resolve("old.txt"), "old data");
        Files.createDirectories(parent.resolve(".chroma_db.lifeboat-restore-restore-crash-1/x"));
        // the mark the crashed restore left when it created its extraction folder
        Files.writeString(parent.resolve(".chroma_db.lifeboat-restore-restore-crash-1.lifeboat-owner"), "restore-crash-1");
        dirTarget("crash-r", dir);
        String owner = io.quarkus.arc.Arc.container().instance(io.lifeboat.restore.restore.InstanceId.class).get().value();
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.executeUpdate("INSERT INTO restore (id, source, target, target_kind, mode, reason, phase, requested_at, started_at, "
                    + "swap_state, moved_aside_as, owner_instance, heartbeat_at, backup_selector) VALUES ('restore-crash-1', 'crash', "
                    + "'crash-r', 'directory', 'REPLACE', 'manual', 'Verifying', now(), now(), 'swapping', '" + aside + "', '"
                    + owner + "', now(), 'latest')");
        }
        recovery.failInterrupted(); // what start-up does after a crash between the two renames
        JsonPath r = as("viewer").get("/restores/restore-crash-1").then().statusCode(200).extract().jsonPath();
        assertThat(r.getString("phase")).isEqualTo("Failed");
        assertThat(r.getString("error")).contains("interrupted by restart").contains("old data was moved back");
        assertThat(Files.readString(dir.resolve("old.txt"))).isEqualTo("old data");
        assertThat(Files.exists(aside)).isFalse();
        assertThat(Files.exists(parent.resolve(".chroma_db.lifeboat-restore-restore-crash-1"))).isFalse();
    }

    @Test
    void badRequestsAre4xxNamingTheProblem() throws Exception {
        BackupManifest m = shopBackup("shop-bad", "shop_bad", false);
        pgTarget("pg-bad", "bad_scratch", false);
        as("admin").contentType(ContentType.JSON).body("{\"source\": \"no-such-source\", \"target\": \"pg-bad\"}").post("/restores")
                .then().statusCode(404).body("detail", containsString("no-such-source"));
        as("admin").contentType(ContentType.JSON).body("{\"source\": \"shop-bad\", \"target\": \"pg-bad\", \"backup\": \"shop-bad-nope\"}")
                .post("/restores").then().statusCode(404).body("detail", containsString("shop-bad-nope"));
        as("admin").contentType(ContentType.JSON)
                .body("{\"source\": \"shop-bad\", \"target\": \"pg-bad\", \"backup\": {\"at\": \"2001-01-01T00:00:00Z\"}}")
                .post("/restores").then().statusCode(404).body("detail", containsString(m.recoveryPointAt().toString()));
        as("admin").contentType(ContentType.JSON)
                .body("{\"source\": \"shop-bad\", \"target\": \"pg-bad\", \"backup\": {\"at\": \"yesterday\"}}")
                .post("/restores").then().statusCode(400).body("errors.field", hasItem("backup.at"));
        as("admin").contentType(ContentType.JSON).body("{\"source\": \"shop-bad\", \"target\": \"no-such-target\"}")
                .post("/restores").then().statusCode(404).body("detail", containsString("no-such-target"));
        as("admin").contentType(ContentType.JSON).body("{\"source\": \"shop-bad\"}")
                .post("/restores").then().statusCode(400).body("errors.field", hasItem("target"));
        as("admin").contentType(ContentType.JSON).body("{\"source\": \"shop-bad\", \"target\": \"pg-bad\", \"mode\": \"sideways\"}")
                .post("/restores").then().statusCode(400).body("detail", containsString("mode"));
        as("admin").contentType(ContentType.JSON).body("{\"source\": \"shop-bad\", \"target\": \"pg-bad\", \"reason\": \"drill\"}")
                .post("/restores").then().statusCode(400).body("errors.field", hasItem("drillId"));
        as("admin").contentType(ContentType.JSON)
                .body("{\"source\": \"shop-bad\", \"target\": \"pg-bad\", \"checks\": [{\"type\": \"row-count\"}]}")
                .post("/restores").then().statusCode(400).body("errors.field", hasItem("checks[0].table"));
        as("viewer").contentType(ContentType.JSON).body("{\"source\": \"shop-bad\", \"target\": \"pg-bad\"}")
                .post("/restores").then().statusCode(403);
        as("viewer").get("/restores/nope").then().statusCode(404);
        as("viewer").queryParam("before", "soon").get("/catalog").then().statusCode(400).body("errors.field", hasItem("before"));
        as("viewer").get("/catalog/no-such-source/latest").then().statusCode(404);
    }
}

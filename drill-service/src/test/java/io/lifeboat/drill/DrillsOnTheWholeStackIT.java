package io.lifeboat.drill;

import io.lifeboat.testsupport.Scratch;
import io.lifeboat.stack.LocalStack;
import io.lifeboat.stack.PostgresServer;
import io.lifeboat.stack.StackSettings;
import io.lifeboat.stack.TokenIssuer;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.*;

/**
 * Drills against the whole platform started as `./lifeboat up` starts it (real Kafka, PostgreSQL, S3Proxy and
 * the four packaged services), driven only over HTTP.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DrillsOnTheWholeStackIT {

    private static LocalStack stack;
    private static StackSettings settings;
    private static TokenIssuer tokens;

    @BeforeAll
    static void up() throws Exception {
        Path home = Scratch.directory("lifeboat-drill-it");
        Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwxr-xr-x"));
        settings = StackSettings.ephemeral(Path.of(System.getProperty("lifeboat.repo")), home);
        stack = new LocalStack(settings, Path.of(System.getProperty("lifeboat.stack.home")), System.out);
        tokens = stack.tokens();
        stack.up();
    }

    @AfterAll
    static void down() {
        if (stack != null) stack.down();
    }

    private static RequestSpecification as(String role, String service) {
        return RestAssured.given().baseUri(settings.service(service).url())
                .header("Authorization", "Bearer " + tokens.issue(role, "it-" + role, Duration.ofHours(1)));
    }

    private static JsonPath runDrill(String body) {
        String id = as("operator", "drill-service").contentType(ContentType.JSON).body(body).post("/drills")
                .then().statusCode(202).extract().path("id");
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500)).until(() -> {
            String phase = as("viewer", "drill-service").get("/drills/" + id).then().extract().path("phase");
            return "Completed".equals(phase) || "Failed".equals(phase);
        });
        return as("viewer", "drill-service").get("/drills/" + id).then().statusCode(200).extract().jsonPath();
    }

    /** Lifeboat's own cluster (the services' databases). */
    private static Connection pg(String database) throws Exception {
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + settings.pgPort() + "/" + database,
                PostgresServer.SUPERUSER, settings.pgPassword());
    }

    /** The protected system's cluster (chatbot_analytics, and the drill copies in its isolated target). */
    private static Connection protectedPg(String database) throws Exception {
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + settings.protectedPgPort() + "/" + database,
                PostgresServer.SUPERUSER, settings.pgPassword());
    }

    private static long count(String database, String sql) throws Exception {
        try (Connection c = pg(database); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static long protectedCount(String database, String sql) throws Exception {
        try (Connection c = protectedPg(database); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    @Order(1)
    void aDatabaseLossDrillPassesWithATimedStepTableAndLeavesNoDrillDatabase() throws Exception {
        JsonPath drill = runDrill("{\"scenario\": \"database-loss\"}");
        assertThat(drill.getString("phase")).as(drill.prettify()).isEqualTo("Completed");
        assertThat(drill.getString("verdict")).as(drill.prettify()).isEqualTo("passed");
        assertThat(drill.getList("steps.name")).contains("assess", "identify-latest-backup", "download", "restore", "verify",
                "smoke-tests");
        assertThat(drill.getList("steps.budgetSeconds", Integer.class)).contains(900, 300, 600, 7200);
        assertThat(drill.getString("steps.find { it.name == 'verify' }.status")).isEqualTo("done");
        // verified: the drill copy ends at the same newest row as production did when the test backup was taken
        String newest;
        try (Connection c = protectedPg("chatbot_analytics"); Statement s = c.createStatement()) {
            s.execute("SET TIME ZONE 'UTC'");
            ResultSet rs = s.executeQuery("SELECT max(\"timestamp\")::text FROM analytics");
            rs.next();
            newest = rs.getString(1);
        }
        assertThat(drill.getString("prepared.find { it.source == 'analytics-db' }.newestTimestamps.analytics.value"))
                .isEqualTo(newest);
        assertThat(drill.getString("steps.find { it.name == 'verify' }.detail"))
                .contains("analytics-db.analytics " + protectedCount("chatbot_analytics", "SELECT count(*) FROM analytics") + " rows, newest " + newest);
        assertThat(drill.getString("steps.find { it.name == 'assess' }.status")).isEqualTo("skipped");
        assertThat(drill.getDouble("rtoSeconds")).isPositive().isLessThan(120.0);
        // analytics-db is continuous: the drill restored it to an instant of its start from the WAL, and its RPO is the
        // age of the restorable WAL then: seconds (0 when a flush had reached the start), not the age of a nightly dump
        assertThat(drill.getDouble("rpoSeconds")).isGreaterThanOrEqualTo(0.0).isLessThan(60.0);
        assertThat(drill.getString("steps.find { it.name == 'identify-latest-backup' }.detail"))
                .contains("analytics-db: restored to").contains("from its WAL").contains("the restorable WAL of analytics-db");
        assertThat(drill.getString("prepared.find { it.source == 'analytics-db' }.pointInTime")).isNotNull();
        assertThat(drill.getDouble("throughputBps")).isPositive();
        assertThat(protectedCount("postgres", "SELECT count(*) FROM pg_database WHERE datname LIKE '%\\_drill\\_%'")).isZero();
        // the production database was not touched: no _restore_ or _corrupted_ copies either
        assertThat(protectedCount("postgres", "SELECT count(*) FROM pg_database WHERE datname LIKE 'chatbot_analytics\\_%'")).isZero();

        await().atMost(Duration.ofSeconds(30)).until(() -> as("viewer", "incident-service")
                .queryParam("month", Instant.now().toString().substring(0, 7)).get("/reviews/monthly")
                .then().extract().jsonPath().getList("drills.drillId").contains(drill.getString("id")));
    }

    @Test
    @Order(2)
    void aVectorStoreDrillComparesFilesAndBytesAndCleansUp() throws Exception {
        JsonPath drill = runDrill("{\"scenario\": \"vector-store-corruption\"}");
        assertThat(drill.getString("verdict")).as(drill.prettify()).isEqualTo("passed");
        assertThat(drill.getString("steps.find { it.name == 'verify' }.detail")).contains("matches");
        try (var left = Files.list(settings.home().resolve("drills"))) {
            assertThat(left.toList()).isEmpty();
        }
    }

    @Test
    @Order(3)
    void anInfrastructureLossDrillSucceedsWithRestoreServicesDatabaseLost() throws Exception {
        // restore-service loses its whole database (restore history, target registry) and is
        // redeployed: it must find the backups in the bucket alone and get its targets back from its configuration
        stack.stopService("restore-service");
        try (Connection c = pg("postgres"); Statement s = c.createStatement()) {
            s.execute("DROP DATABASE lifeboat_restore WITH (FORCE)");
            s.execute("CREATE DATABASE lifeboat_restore");
        }
        stack.startService("restore-service");
        assertThat(count("lifeboat_restore", "SELECT count(*) FROM restore")).isZero();

        JsonPath drill = runDrill("{\"scenario\": \"infrastructure-loss\"}");
        assertThat(drill.getString("verdict")).as(drill.prettify()).isEqualTo("passed");
        assertThat(drill.getList("restores.source")).containsExactlyInAnyOrder("analytics-db", "vector-store");
        as("viewer", "restore-service").get("/targets").then().statusCode(200)
                .body("name", hasItems("analytics-db-home", "vector-store-home", "drill-pg", "drill-workspace"));
    }

    @Test
    @Order(4)
    void aDrillOfACorruptedBackupFailsWithTheReasonAndTheReviewShowsIt() throws Exception {
        var s3 = software.amazon.awssdk.services.s3.S3Client.builder()
                .endpointOverride(java.net.URI.create("http://127.0.0.1:" + settings.s3Port()))
                .region(software.amazon.awssdk.regions.Region.US_EAST_1).forcePathStyle(true)
                .credentialsProvider(software.amazon.awssdk.auth.credentials.StaticCredentialsProvider.create(
                        software.amazon.awssdk.auth.credentials.AwsBasicCredentials.create(settings.s3AccessKey(), settings.s3SecretKey())))
                .httpClient(software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient.create()).build();
        String key = as("viewer", "restore-service").get("/catalog/vector-store/latest").then().extract().path("objectKey");
        byte[] data = s3.getObjectAsBytes(b -> b.bucket("lifeboat-backups").key(key)).asByteArray();
        data[data.length / 3] ^= 0x7F;
        s3.putObject(b -> b.bucket("lifeboat-backups").key(key), software.amazon.awssdk.core.sync.RequestBody.fromBytes(data));

        JsonPath drill = runDrill("{\"scenario\": \"vector-store-corruption\"}");
        assertThat(drill.getString("phase")).isEqualTo("Failed");
        assertThat(drill.getString("verdict")).isEqualTo("failed");
        assertThat(drill.getString("error")).contains("checksum mismatch");
        String month = Instant.now().toString().substring(0, 7);
        await().atMost(Duration.ofSeconds(30)).until(() -> as("viewer", "incident-service").queryParam("month", month)
                .get("/reviews/monthly").then().extract().jsonPath()
                .getString("drills.find { it.drillId == '" + drill.getString("id") + "' }.verdict") != null);
        as("viewer", "incident-service").queryParam("month", month).get("/reviews/monthly").then()
                .body("drills.find { it.drillId == '" + drill.getString("id") + "' }.verdict", is("failed"))
                .body("drills.find { it.drillId == '" + drill.getString("id") + "' }.reasons", containsString("checksum"));

        // a new verified backup is what the next drills of this source restore
        String backup = as("operator", "backup-service").contentType(ContentType.JSON).body("{\"source\": \"vector-store\"}")
                .post("/backups").then().statusCode(202).extract().path("id");
        await().atMost(Duration.ofSeconds(60)).until(() -> Boolean.TRUE.equals(as("viewer", "backup-service")
                .get("/backups/" + backup).then().extract().path("verification.ok")));
    }

    @Test
    @Order(5)
    void aDrillCannotBePointedAtAProductionTarget() {
        String drillPg = as("viewer", "restore-service").get("/targets/drill-pg").then().extract().asString();
        as("admin", "restore-service").contentType(ContentType.JSON)
                .body(drillPg.replace("\"production\":false", "\"production\":true")).put("/targets/drill-pg").then().statusCode(200);
        try {
            as("operator", "drill-service").contentType(ContentType.JSON).body("{\"scenario\": \"database-loss\"}").post("/drills")
                    .then().statusCode(400).body("detail", containsString("production"));
        } finally {
            as("admin", "restore-service").contentType(ContentType.JSON).body(drillPg).put("/targets/drill-pg").then().statusCode(200);
        }
    }

    @Test
    @Order(6)
    void manualStepsWaitForAnOperatorAndBadInputIsRefused() {
        String id = as("operator", "drill-service").contentType(ContentType.JSON)
                .body("{\"scenario\": \"vector-store-corruption\", \"manualSteps\": \"wait\"}").post("/drills")
                .then().statusCode(202).extract().path("id");
        await().atMost(Duration.ofSeconds(30)).until(() -> "Running".equals(as("viewer", "drill-service").get("/drills/" + id)
                .then().extract().path("phase")));
        as("operator", "drill-service").post("/drills/" + id + "/steps/stop-services/done").then().statusCode(200);
        as("operator", "drill-service").post("/drills/" + id + "/steps/stop-services/done").then().statusCode(409);
        as("operator", "drill-service").post("/drills/" + id + "/steps/verify/done").then().statusCode(409);
        await().atMost(Duration.ofSeconds(60)).until(() -> as("viewer", "drill-service").get("/drills/" + id).then().extract()
                .jsonPath().getString("steps.find { it.name == 'restart-services' }.status").equals("pending")
                && as("viewer", "drill-service").get("/drills/" + id).then().extract().jsonPath()
                .getString("steps.find { it.name == 'restore' }.status") != null
                && !"pending".equals(as("viewer", "drill-service").get("/drills/" + id).then().extract().jsonPath()
                .getString("steps.find { it.name == 'restore' }.status")));
        as("operator", "drill-service").post("/drills/" + id + "/steps/restart-services/done").then().statusCode(200);
        await().atMost(Duration.ofSeconds(60)).until(() -> "Completed".equals(as("viewer", "drill-service").get("/drills/" + id)
                .then().extract().path("phase")));
        JsonPath done = as("viewer", "drill-service").get("/drills/" + id).then().extract().jsonPath();
        assertThat(done.getString("steps.find { it.name == 'stop-services' }.status")).isEqualTo("done");

        as("operator", "drill-service").contentType(ContentType.JSON)
                .body("{\"worked\": \"restore was fast\", \"didNotWork\": \"nobody knew where the keys were\", "
                        + "\"budgetChanges\": {\"restore\": 900}}")
                .post("/drills/" + id + "/debrief").then().statusCode(200).body("phase", is("Debriefed"));
        as("viewer", "drill-service").get("/scenarios/vector-store-corruption").then()
                .body("steps.find { it.name == 'restore' }.budgetSeconds", is(900));
        as("operator", "drill-service").contentType(ContentType.JSON).body("{\"budgetChanges\": {\"restore\": 0}}")
                .post("/drills/" + id + "/debrief").then().statusCode(409);

        as("operator", "drill-service").contentType(ContentType.JSON).body("{\"scenario\": \"meteor-strike\"}").post("/drills")
                .then().statusCode(404).body("detail", containsString("meteor-strike"));
        as("operator", "drill-service").contentType(ContentType.JSON).body("{}").post("/drills")
                .then().statusCode(400).body("errors.field", hasItem("scenario"));
        as("viewer", "drill-service").contentType(ContentType.JSON).body("{\"scenario\": \"database-loss\"}").post("/drills")
                .then().statusCode(403);
        List<String> ids = as("viewer", "drill-service").get("/drills").then().extract().path("items.id");
        assertThat(ids).contains(id);
    }

    @Test
    @Order(7)
    void aDrillWhoseNewestVerifiedBackupIsOlderThanTheRpoTargetFailsItsRpoCheck() throws Exception {
        // a scenario accepting 1 s of data loss: the newest verified backup (from up) is older than that
        as("operator", "drill-service").contentType(ContentType.JSON).body("""
                {"title": "tight RPO", "sources": ["vector-store"], "rpoTarget": "PT1S",
                 "steps": [{"name": "identify-latest-backup", "kind": "automated", "budgetSeconds": 300},
                           {"name": "restore", "kind": "automated", "budgetSeconds": 7200},
                           {"name": "verify", "kind": "automated", "budgetSeconds": 900}]}""").put("/scenarios/tight-rpo")
                .then().statusCode(anyOf(is(200), is(201)));
        String newestVerified = as("viewer", "backup-service").get("/sources/vector-store/recovery-point").then().statusCode(200)
                .extract().path("id");
        JsonPath drill = runDrill("{\"scenario\": \"tight-rpo\"}");
        assertThat(drill.getString("phase")).as(drill.prettify()).isEqualTo("Completed");
        assertThat(drill.getString("verdict")).isEqualTo("failed");
        assertThat(drill.getDouble("rpoSeconds")).isGreaterThan(1.0);
        assertThat(drill.getList("reasons", String.class)).anyMatch(r -> r.contains("RPO") && r.contains("above the target 1 s")
                && r.contains(newestVerified));

        // a fresh test backup is restored, and reported as such; the RPO is still the one an incident would have seen
        JsonPath fresh = runDrill("{\"scenario\": \"tight-rpo\", \"freshBackup\": true}");
        assertThat(fresh.getString("verdict")).isEqualTo("failed");
        assertThat(fresh.getString("steps.find { it.name == 'identify-latest-backup' }.detail"))
                .contains("fresh test backup").contains("RPO measured on " + newestVerified);
        assertThat(fresh.getString("prepared[0].backupId")).isNotEqualTo(newestVerified);
    }

    @Test
    @Order(8)
    void withTwoMoreInstancesACalendarDrillIsAnnouncedOnceAndStartedOnce() throws Exception {
        var extra = new java.util.ArrayList<io.lifeboat.stack.ServerProcess>();
        try {
            for (String name : List.of("drill-b", "drill-c")) {
                extra.add(stack.startExtraInstance("drill-service", name, io.lifeboat.stack.Ports.free(),
                        java.util.Map.of("lifeboat.drill.calendar.tick", "1s")));
            }
            try (Connection c = pg("lifeboat_drill"); Statement s = c.createStatement()) {
                s.executeUpdate("INSERT INTO drill (id, scenario, phase, scheduled_for, trigger, created_at) VALUES "
                        + "('drill-cal-due', 'vector-store-corruption', 'Announced', now() - interval '1 second', 'calendar', now()), "
                        + "('drill-cal-next-week', 'database-loss', 'Scheduled', now() + interval '3 days', 'calendar', now())");
            }
            await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500)).until(() ->
                    count("lifeboat_drill", "SELECT count(*) FROM drill WHERE id = 'drill-cal-due' AND phase = 'Completed'") == 1
                    && count("lifeboat_drill", "SELECT count(*) FROM drill WHERE id = 'drill-cal-next-week' AND phase = 'Announced'") == 1);
            Thread.sleep(3000); // every instance has ticked again since
            assertThat(count("lifeboat_drill", "SELECT count(*) FROM outbox_event WHERE message_key = 'drill-cal-due' "
                    + "AND type = 'lifeboat.drill.started.v1'")).isEqualTo(1);
            assertThat(count("lifeboat_drill", "SELECT count(*) FROM outbox_event WHERE message_key = 'drill-cal-due' "
                    + "AND type = 'lifeboat.drill.completed.v1'")).isEqualTo(1);
            assertThat(count("lifeboat_drill", "SELECT count(*) FROM outbox_event WHERE message_key = 'drill-cal-next-week' "
                    + "AND type = 'lifeboat.drill.announced.v1'")).isEqualTo(1);
            as("viewer", "drill-service").get("/drills/drill-cal-due").then().body("verdict", is("passed"))
                    .body("actor", is("schedule:calendar"));
        } finally {
            extra.forEach(p -> p.stop(Duration.ofSeconds(20)));
        }
    }

    @Test
    @Order(9)
    void aPointInTimeDrillBringsBackExactlyTheRowsCommittedBeforeTheInstant() throws Exception {
        JsonPath drill = runDrill("{\"scenario\": \"point-in-time\"}");
        assertThat(drill.getString("phase")).as(drill.prettify()).isEqualTo("Completed");
        assertThat(drill.getString("verdict")).as(drill.prettify()).isEqualTo("passed");
        String staged = drill.getString("steps.find { it.name == 'simulate-accident' }.detail");
        assertThat(staged).contains("200 rows in lifeboat_drill_").contains("50 more rows, table dropped");
        // verify compared the restored table with what it held at T: 200 rows, the newest one of them, none after
        assertThat(drill.getString("steps.find { it.name == 'verify' }.detail")).contains(" 200 rows, newest ");
        assertThat(drill.getDouble("rpoSeconds")).isLessThan(60.0);
        // the staged table stays dropped in production, and the drill's copy is cleaned up
        String table = staged.replaceAll(".*rows in (lifeboat_drill_[a-z0-9_]+).*", "$1");
        assertThat(protectedCount("chatbot_analytics", "SELECT count(*) FROM pg_tables WHERE tablename = '" + table + "'")).isZero();
        assertThat(protectedCount("postgres", "SELECT count(*) FROM pg_database WHERE datname LIKE '%\\_drill\\_%'")).isZero();
    }
}

package io.lifeboat.incident;

import com.fasterxml.jackson.databind.JsonNode;
import io.agroal.api.AgroalDataSource;
import io.lifeboat.events.CloudEvent;
import io.lifeboat.events.EventCodec;
import io.lifeboat.events.backup.BackupCompleted;
import io.lifeboat.events.backup.BackupFailed;
import io.lifeboat.events.backup.BackupStarted;
import io.lifeboat.events.backup.BackupVerified;
import io.lifeboat.events.backup.Retention;
import io.lifeboat.events.backup.SourceUpdated;
import io.lifeboat.events.drill.DrillCompleted;
import io.lifeboat.events.restore.RestoreCompleted;
import io.lifeboat.events.restore.RestoreStarted;
import io.lifeboat.incident.eventlog.EventStore;
import io.lifeboat.testsupport.TestServers;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static io.lifeboat.incident.RealServers.as;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.*;

/** Projections: RPO answers, rebuild equals live, replays change nothing, Grafana's SQL runs on them. */
@QuarkusTest
class ProjectionsTest {

    private static final List<String> TABLES = List.of("proj_source", "proj_backup", "proj_verification", "proj_restore",
            "proj_drill", "proj_incident", "proj_incident_status", "proj_alert");

    @Inject
    EventStore store;

    @Inject
    AgroalDataSource dataSource;

    /** Sources with a history: a breach, a failed attempt, verified backups, a restore and a drill. */
    /** A source's history: two old backups (one failed), a recent one, a restore and a drill; returns the drill's end. */
    private Instant history(String source) {
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        Instant old = now.minus(Duration.ofHours(50));
        Instant recent = now.minus(Duration.ofHours(2));
        List<CloudEvent> events = new ArrayList<>();
        events.add(Publish.send("/b", new SourceUpdated(source, "directory", "0 2 * * *", Duration.ofHours(24),
                Retention.defaults(), false, false), old.minusSeconds(60)));
        events.add(Publish.send("/b", new BackupStarted(source + "-1", source, "directory", old, "schedule"), old));
        events.add(Publish.send("/b", new BackupCompleted(source + "-1", source, "directory", old, old, old.plusSeconds(10),
                100, 50, "aa", "k1", "m1", "zstd", null, Map.of(), Map.of()), old.plusSeconds(10)));
        events.add(Publish.send("/b", new BackupVerified(source + "-1", source, true, "ok", true, old.plusSeconds(20)), old.plusSeconds(20)));
        events.add(Publish.send("/b", new BackupStarted(source + "-2", source, "directory", old.plusSeconds(86400), "schedule"), old.plusSeconds(86400)));
        events.add(Publish.send("/b", new BackupFailed(source + "-2", source, "upload", "bucket unreachable",
                old.plusSeconds(86400), old.plusSeconds(86410)), old.plusSeconds(86410)));
        events.add(Publish.send("/b", new BackupStarted(source + "-3", source, "directory", recent, "manual"), recent));
        events.add(Publish.send("/b", new BackupCompleted(source + "-3", source, "directory", recent, recent, recent.plusSeconds(10),
                100_000_000, 50_000_000, "bb", "k3", "m3", "zstd", null, Map.of(), Map.of()), recent.plusSeconds(10)));
        events.add(Publish.send("/b", new BackupVerified(source + "-3", source, true, "ok", true, recent.plusSeconds(30)), recent.plusSeconds(30)));
        events.add(Publish.send("/r", new RestoreStarted("restore-" + source, source, source + "-3", recent, "t", "new", "manual",
                null, null, recent.plusSeconds(60)), recent.plusSeconds(60)));
        events.add(Publish.send("/r", new RestoreCompleted("restore-" + source, source, source + "-3", recent, "t", "new", "manual",
                null, null, recent.plusSeconds(60), recent.plusSeconds(70), 10, 50_000_000, List.of()), recent.plusSeconds(70)));
        events.add(Publish.send("/d", new DrillCompleted("drill-" + source, "database-loss", "Completed", "passed", List.of(),
                20.0, 3600.0, 5_000_000.0, recent.plusSeconds(100), recent.plusSeconds(120)), recent.plusSeconds(120)));
        Publish.awaitStored(store, events.toArray(CloudEvent[]::new));
        return recent.plusSeconds(120);
    }

    @Test
    void rpoShowsExposureBreachesAndTheRtoForecast() {
        Instant drilledAt = history("rpo-src");
        JsonPath rpo = as("viewer").get("/rpo").then().statusCode(200).extract().jsonPath();
        Map<String, Object> src = rpo.getMap("find { it.source == 'rpo-src' }");
        assertThat(src.get("backupId")).isEqualTo("rpo-src-3");
        assertThat(src.get("breached")).isEqualTo(false);
        assertThat(Duration.parse((String) src.get("exposure"))).isBetween(Duration.ofHours(2), Duration.ofHours(2).plusMinutes(5));
        assertThat(src.get("rpoTarget")).isEqualTo("PT24H");
        assertThat(rpo.getString("find { it.source == 'rpo-src' }.rtoForecast.expectedRestore")).isNotNull();
        assertThat(rpo.getBoolean("find { it.source == 'rpo-src' }.rtoForecast.aboveTarget")).isFalse();

        Instant to = Instant.now();
        JsonPath timeline = as("viewer").queryParam("source", "rpo-src").queryParam("from", to.minus(Duration.ofHours(49)).toString())
                .queryParam("to", to.toString()).get("/rpo/timeline").then().statusCode(200).extract().jsonPath();
        assertThat(timeline.getList("series")).hasSize(2);
        assertThat(timeline.getList("breaches")).hasSize(1);
        Instant breachFrom = Instant.parse(timeline.getString("breaches[0].from"));
        Instant breachTo = Instant.parse(timeline.getString("breaches[0].to"));
        // backup 1's recovery point + 24 h, until backup 3 verified
        assertThat(Duration.between(breachFrom, to)).isBetween(Duration.ofHours(25).plusMinutes(59), Duration.ofHours(26).plusMinutes(1));
        assertThat(Duration.between(breachTo, to)).isBetween(Duration.ofMinutes(118), Duration.ofMinutes(121));
        as("viewer").queryParam("source", "nope").get("/rpo/timeline").then().statusCode(404);
        as("viewer").queryParam("source", "rpo-src").queryParam("from", "yesterday").get("/rpo/timeline").then().statusCode(400)
                .body("errors.field", hasItem("from"));

        // the drill's month, not today's: in the first hours of a month the drill (2 h ago) is in the previous one
        String month = drilledAt.toString().substring(0, 7);
        JsonPath review = as("viewer").queryParam("month", month).get("/reviews/monthly").then().statusCode(200).extract().jsonPath();
        assertThat(review.getString("month")).isEqualTo(month);
        assertThat(review.getList("drills.drillId")).contains("drill-rpo-src");
        assertThat(review.getList("sources.source")).contains("rpo-src");
    }

    @Test
    void aRebuildEqualsTheLiveProjectionsAndReplayingEverythingThreeTimesChangesNothing() throws Exception {
        history("replay-src");
        // an incident's rows are written in an order that matters (declared, then each status change)
        String incident = as("operator").contentType(ContentType.JSON)
                .body("{\"title\": \"replay\", \"severity\": \"SEV2\", \"scenario\": \"other\", \"sources\": [\"replay-src\"]}")
                .post("/incidents").then().statusCode(201).extract().path("id");
        for (String status : List.of("Investigating", "Restoring", "Monitoring")) {
            as("operator").contentType(ContentType.JSON).body("{\"status\": \"" + status + "\"}")
                    .post("/incidents/" + incident + "/status").then().statusCode(200);
        }
        as("operator").contentType(ContentType.JSON).body("{}").post("/incidents/" + incident + "/service-restored")
                .then().statusCode(200);
        awaitConsumed();
        await().atMost(Duration.ofSeconds(30)).until(() -> count("SELECT count(*) FROM proj_incident WHERE incident_id = '"
                + incident + "' AND status = 'Monitoring' AND service_restored_at IS NOT NULL") == 1);
        Map<String, List<String>> live = snapshot();
        assertThat(live.get("proj_backup")).anyMatch(r -> r.contains("replay-src-3"));
        assertThat(live.get("indexes")).anyMatch(i -> i.contains("proj_backup_good")).anyMatch(i -> i.contains("proj_backup_bad"));

        as("admin").post("/admin/projections/rebuild").then().statusCode(200).body("events", greaterThan(10));
        assertThat(snapshot()).isEqualTo(live);
        as("operator").post("/admin/projections/rebuild").then().statusCode(403);

        List<String[]> envelopes = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT topic, subject, envelope::text FROM event_log ORDER BY seq")) {
            while (rs.next()) envelopes.add(new String[]{rs.getString(1), rs.getString(2), rs.getString(3)});
        }
        for (int round = 0; round < 3; round++) {
            for (String[] e : envelopes) Publish.sendRaw(e[0], e[1], e[2]);
        }
        awaitConsumed();
        assertThat(snapshot()).isEqualTo(live);
    }

    @Test
    void queriesAreNotJitCompiled() throws Exception {
        // PostgreSQL JITs by cost estimate: on a long event log the timeline's estimate crosses the threshold and
        // compiling took 26 ms of a 0.4 ms query
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT current_setting('jit')")) {
            rs.next();
            assertThat(rs.getString(1)).isEqualTo("off");
        }
    }

    @Test
    void everyGrafanaQueryRunsOnTheProjectionSchemaAndReturnsRows() throws Exception {
        history("grafana-src");
        as("operator").contentType(ContentType.JSON).body("{\"title\": \"grafana\", \"severity\": \"SEV3\", \"scenario\": \"other\"}")
                .post("/incidents").then().statusCode(201);
        awaitConsumed();
        await().atMost(Duration.ofSeconds(30)).until(() -> count("SELECT count(*) FROM proj_incident_status") > 0
                || count("SELECT count(*) FROM proj_incident") > 0);
        Path dashboard = Path.of("../deploy/grafana/dashboards/lifeboat-rto-rpo.json");
        JsonNode json = EventCodec.mapper().readTree(Files.readString(dashboard));
        List<String> queries = new ArrayList<>();
        json.path("annotations").path("list").forEach(a -> queries.add(a.path("target").path("rawSql").asText()));
        json.path("panels").forEach(p -> p.path("targets").forEach(t -> queries.add(t.path("rawSql").asText())));
        assertThat(queries).hasSizeGreaterThanOrEqualTo(7);
        String from = Instant.now().minus(Duration.ofDays(7)).toString();
        String to = Instant.now().plus(Duration.ofMinutes(5)).toString();
        for (String query : queries) {
            String sql = query.replaceAll("\\$__timeFilter\\(([^)]*)\\)", "$1 BETWEEN '" + from + "' AND '" + to + "'")
                    .replace("$__timeFrom()", "'" + from + "'").replace("$__timeTo()", "'" + to + "'");
            try (Connection c = dataSource.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
                assertThat(rs.next()).as("query returns rows: %s", query).isTrue();
            }
        }
    }

    @Test
    void gaugesAreExported() {
        history("metric-src");
        await().atMost(Duration.ofSeconds(40)).until(() -> RestAssured.get("/q/metrics").asString()
                .contains("lifeboat_rpo_exposure_seconds{scenario=\"vector-store-corruption\",source=\"metric-src\"}"));
        String metrics = RestAssured.get("/q/metrics").asString();
        assertThat(metrics).contains("lifeboat_rpo_target_seconds{scenario=\"vector-store-corruption\",source=\"metric-src\"} 86400.0")
                .contains("lifeboat_newest_backup_failed{scenario=\"vector-store-corruption\",source=\"metric-src\"} 0.0")
                .contains("lifeboat_verified_backup_present{scenario=\"vector-store-corruption\",source=\"metric-src\"} 1.0")
                .contains("lifeboat_open_incidents").contains("lifeboat_last_successful_backup_timestamp_seconds");
    }

    private long count(String sql) throws Exception {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private Map<String, List<String>> snapshot() throws Exception {
        Map<String, List<String>> snapshot = new HashMap<>();
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            for (String table : TABLES) {
                List<String> rows = new ArrayList<>();
                try (ResultSet rs = s.executeQuery("SELECT * FROM " + table + " ORDER BY 1")) {
                    ResultSetMetaData meta = rs.getMetaData();
                    while (rs.next()) {
                        List<String> cells = new ArrayList<>();
                        for (int i = 1; i <= meta.getColumnCount(); i++) cells.add(String.valueOf(rs.getObject(i)));
                        rows.add(String.join("|", cells));
                    }
                }
                snapshot.put(table, rows);
            }
            // the rebuild drops the secondary indexes for the replay: every one must come back as it was
            List<String> indexes = new ArrayList<>();
            try (ResultSet rs = s.executeQuery("SELECT indexdef FROM pg_indexes WHERE tablename LIKE 'proj\\_%' ORDER BY indexname")) {
                while (rs.next()) indexes.add(rs.getString(1));
            }
            snapshot.put("indexes", indexes);
        }
        return snapshot;
    }

    /** Waits until incident-service's consumer group has consumed every record of every topic. */
    static void awaitConsumed() {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                TestServers.get().kafka().bootstrapServers()))) {
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).until(() -> {
                Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets("incident-service")
                        .partitionsToOffsetAndMetadata().get();
                Map<TopicPartition, OffsetSpec> latest = committed.keySet().stream()
                        .collect(Collectors.toMap(tp -> tp, tp -> OffsetSpec.latest()));
                var ends = admin.listOffsets(latest).all().get();
                return !committed.isEmpty() && committed.entrySet().stream()
                        .allMatch(e -> e.getValue().offset() >= ends.get(e.getKey()).offset());
            });
        }
    }
}

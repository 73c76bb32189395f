package io.lifeboat.incident;

import io.lifeboat.events.CloudEvent;
import io.lifeboat.events.backup.BackupCompleted;
import io.lifeboat.events.backup.BackupVerified;
import io.lifeboat.events.backup.Retention;
import io.lifeboat.events.backup.SourceUpdated;
import io.lifeboat.events.drill.DrillCompleted;
import io.lifeboat.events.drill.DrillStarted;
import io.lifeboat.events.restore.CheckResult;
import io.lifeboat.events.restore.RestoreCompleted;
import io.lifeboat.events.restore.RestoreStarted;
import io.lifeboat.events.restore.RestoreStepCompleted;
import io.lifeboat.incident.eventlog.EventStore;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

import static io.lifeboat.incident.RealServers.as;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.*;

/** A backup, an incident, a restore linked to it, service restored: the report's numbers to the second. */
@QuarkusTest
class IncidentReportTest {

    @Inject
    EventStore store;

    @Test
    void theReportStatesRtoAndDataLossToTheSecond() {
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        Instant recoveryPoint = now.minus(Duration.ofHours(5));
        Instant impact = now.minus(Duration.ofHours(2));
        String source = "report-db";
        String backupId = source + "-backup-1";
        CloudEvent updated = Publish.send("/lifeboat/backup-service", new SourceUpdated(source, "postgres", "0 2 * * *",
                Duration.ofHours(24), Retention.defaults(), false, false), recoveryPoint.minusSeconds(60));
        CloudEvent completed = Publish.send("/lifeboat/backup-service", new BackupCompleted(backupId, source, "postgres",
                recoveryPoint, recoveryPoint, recoveryPoint.plusSeconds(30), 1000, 400, "ab", "k/data", "k/manifest.json",
                "zstd", null, Map.of(), Map.of("analytics", 10L)), recoveryPoint.plusSeconds(30));
        CloudEvent verified = Publish.send("/lifeboat/backup-service", new BackupVerified(backupId, source, true, "ok", true,
                recoveryPoint.plusSeconds(40)), recoveryPoint.plusSeconds(40));
        // a drill of this source an hour before the impact, and one of another source: only the first is related
        Instant drillStart = impact.minus(Duration.ofHours(1));
        CloudEvent drillStarted = Publish.send("/lifeboat/drill-service", new DrillStarted("drill-report-1", "database-loss",
                List.of(source), drillStart), drillStart);
        CloudEvent drillCompleted = Publish.send("/lifeboat/drill-service", new DrillCompleted("drill-report-1", "database-loss",
                "Completed", "passed", List.of(), 95.0, 60.0, 1.0e6, drillStart, drillStart.plusSeconds(100)), drillStart.plusSeconds(100));
        CloudEvent otherDrill = Publish.send("/lifeboat/drill-service", new DrillStarted("drill-report-other",
                "vector-store-corruption", List.of("report-other-store"), drillStart), drillStart);
        Publish.awaitStored(store, updated, completed, verified, drillStarted, drillCompleted, otherDrill);

        String id = as("operator").contentType(ContentType.JSON).body("""
                        {"title": "analytics database lost", "severity": "sev1", "scenario": "DATABASE-LOSS",
                         "impactStartedAt": "%s", "detectedAt": "%s", "sources": ["%s"]}"""
                        .formatted(impact, impact.plus(Duration.ofMinutes(10)), source))
                .post("/incidents").then().statusCode(201)
                .body("id", matchesPattern("INC-\\d{4}-\\d{4}")).body("status", is("Declared"))
                .body("severity", is("SEV1")).body("scenario", is("database-loss"))
                .extract().path("id");
        as("operator").contentType(ContentType.JSON).body("{\"status\": \"Restoring\"}").post("/incidents/" + id + "/status")
                .then().statusCode(200).body("status", is("Restoring"));

        String restoreId = "restore-" + source + "-1";
        Instant restoreStart = impact.plus(Duration.ofMinutes(40));
        Instant restoreEnd = restoreStart.plus(Duration.ofMinutes(20));
        CloudEvent started = Publish.send("/lifeboat/restore-service", new RestoreStarted(restoreId, source, backupId,
                recoveryPoint, "analytics-db-home", "replace", "incident", id, null, restoreStart), restoreStart);
        CloudEvent step = Publish.send("/lifeboat/restore-service", new RestoreStepCompleted(restoreId, source, "restore",
                restoreStart.plusSeconds(60), restoreEnd.minusSeconds(60), 1080), restoreEnd.minusSeconds(60));
        CloudEvent done = Publish.send("/lifeboat/restore-service", new RestoreCompleted(restoreId, source, backupId,
                recoveryPoint, "analytics-db-home", "replace", "incident", id, null, restoreStart, restoreEnd, 1200, 400,
                List.of(new CheckResult("row-count analytics", true, "10 rows"))), restoreEnd);
        Publish.awaitStored(store, started, step, done);

        Instant restored = impact.plus(Duration.ofMinutes(90));
        as("operator").contentType(ContentType.JSON).body("{\"at\": \"" + restored + "\"}")
                .post("/incidents/" + id + "/service-restored").then().statusCode(200);
        as("operator").contentType(ContentType.JSON).body("{\"status\": \"Resolved\"}").post("/incidents/" + id + "/status")
                .then().statusCode(200).body("status", is("Resolved")).body("allowedNext", contains("Reviewed"));
        as("operator").contentType(ContentType.JSON).body("{\"text\": \"disk failure on the database host\"}")
                .post("/incidents/" + id + "/notes").then().statusCode(201);
        String action = as("operator").contentType(ContentType.JSON)
                .body("{\"title\": \"move backups to 6-hourly\", \"owner\": \"devops\", \"dueDate\": \"2026-12-15\"}")
                .post("/incidents/" + id + "/actions").then().statusCode(201).extract().path("id");
        as("operator").post("/incidents/" + id + "/actions/" + action + "/close").then().statusCode(200).body("closed", is(true));
        as("operator").post("/incidents/" + id + "/actions/" + action + "/close").then().statusCode(409);
        as("operator").contentType(ContentType.JSON).body("{\"at\": \"" + now.plus(Duration.ofHours(24)) + "\"}")
                .post("/incidents/" + id + "/postmortem").then().statusCode(200).body("within48Hours", is(true));

        await().atMost(Duration.ofSeconds(30)).until(() -> as("viewer").accept("application/json")
                .get("/incidents/" + id + "/report").then().extract().jsonPath().getList("timeline.type")
                .contains("lifeboat.incident.postmortem.scheduled.v1"));
        JsonPath report = as("viewer").accept("application/json").get("/incidents/" + id + "/report")
                .then().statusCode(200).contentType(containsString("application/json")).extract().jsonPath();
        assertThat(report.getString("rto.achieved")).isEqualTo("PT1H30M");
        assertThat(report.getString("rto.target")).isEqualTo("PT4H");
        assertThat(report.getBoolean("rto.met")).isTrue();
        assertThat(report.getString("dataLoss[0].dataLoss")).isEqualTo("PT3H");
        assertThat(report.getString("dataLoss[0].backupId")).isEqualTo(backupId);
        assertThat(report.getString("dataLoss[0].recoveryPointAt")).isEqualTo(recoveryPoint.toString());
        assertThat(report.getBoolean("dataLoss[0].withinTarget")).isTrue();
        assertThat(report.getString("milestones.timeToDetect")).isEqualTo("PT10M");
        assertThat(report.getString("milestones.timeToRestore")).isEqualTo("PT20M");
        assertThat(report.getString("steps[0].name")).isEqualTo("restore");
        assertThat(report.getBoolean("postmortem.within48Hours")).isTrue();
        assertThat(report.getBoolean("alerts.fired")).isFalse();
        assertThat(report.getList("actions.owner")).containsExactly("devops");
        assertThat(report.getString("fiveWs.why")).contains("disk failure");

        String markdown = as("viewer").accept("text/markdown").get("/incidents/" + id + "/report")
                .then().statusCode(200).contentType(containsString("text/markdown")).extract().asString();
        assertThat(markdown).contains("# Post-incident report " + id).contains("**RTO achieved:** 1h 30m 00s")
                .contains("| " + source + " | " + backupId + " | " + recoveryPoint + " | 3h 00m 00s | 24h 00m 00s | yes |");
        String html = as("viewer").accept("text/html").get("/incidents/" + id + "/report")
                .then().statusCode(200).contentType(containsString("text/html")).extract().asString();
        assertThat(html).contains("<h1>Post-incident report " + id).contains("<strong>met</strong>");

        JsonPath timeline = as("viewer").get("/incidents/" + id + "/timeline").then().statusCode(200).extract().jsonPath();
        assertThat(timeline.getList("type")).contains("lifeboat.incident.declared.v1", "lifeboat.restore.started.v1",
                "lifeboat.restore.completed.v1", "lifeboat.incident.service.restored.v1", "lifeboat.backup.completed.v1");
        int startedAt = timeline.getList("type").indexOf("lifeboat.restore.started.v1");
        assertThat(timeline.getString("[" + startedAt + "].offsetFromImpact")).isEqualTo("PT40M");
        assertThat(timeline.getString("[0].offsetFromImpact")).startsWith("PT-");
        assertThat(timeline.getList("subject")).contains("drill-report-1").doesNotContain("drill-report-other");
        assertThat(timeline.getString("find { it.type == 'lifeboat.drill.completed.v1' }.summary"))
                .isEqualTo("drill drill-report-1 passed, drill RTO 95 s");
        assertThat(timeline.getString("find { it.type == 'lifeboat.drill.started.v1' }.offsetFromImpact")).isEqualTo("PT-1H");
    }

    @Test
    void statusChangesFollowTheMachineAndBadInputIsRejected() {
        String id = as("operator").contentType(ContentType.JSON)
                .body("{\"title\": \"chroma corrupt\", \"severity\": \"SEV2\", \"scenario\": \"vector-store-corruption\"}")
                .post("/incidents").then().statusCode(201).extract().path("id");
        as("operator").contentType(ContentType.JSON).body("{\"status\": \"Reviewed\"}").post("/incidents/" + id + "/status")
                .then().statusCode(409).body("detail", containsString("Investigating")).body("detail", containsString("Restoring"));
        as("operator").contentType(ContentType.JSON).body("{\"status\": \"investigating\"}").post("/incidents/" + id + "/status")
                .then().statusCode(200).body("status", is("Investigating"));
        as("operator").contentType(ContentType.JSON).body("{\"status\": \"Exploded\"}").post("/incidents/" + id + "/status")
                .then().statusCode(400).body("detail", containsString("status"));
        as("viewer").get("/incidents/INC-1999-9999").then().statusCode(404);
        as("operator").contentType(ContentType.JSON).body("{\"status\": \"Resolved\"}").post("/incidents/INC-1999-9999/status")
                .then().statusCode(404);
        as("operator").contentType(ContentType.JSON).body("""
                {"title": "x", "severity": "SEV1", "scenario": "other", "impactStartedAt": "2999-01-01T00:00:00Z"}""")
                .post("/incidents").then().statusCode(400).body("errors.field", hasItem("impactStartedAt"));
        as("operator").contentType(ContentType.JSON).body("""
                {"title": "x", "severity": "SEV1", "scenario": "other", "impactStartedAt": "2026-01-02T00:00:00Z",
                 "detectedAt": "2026-01-01T00:00:00Z"}""")
                .post("/incidents").then().statusCode(400).body("errors.field", hasItem("detectedAt"));
        as("operator").contentType(ContentType.JSON).body("{\"title\": \"x\", \"severity\": \"SEV9\", \"scenario\": \"other\"}")
                .post("/incidents").then().statusCode(400).body("detail", containsString("severity"));
        as("operator").contentType(ContentType.JSON).body("{\"severity\": \"SEV1\", \"scenario\": \"other\"}")
                .post("/incidents").then().statusCode(400).body("errors.field", hasItem("title"));
        as("viewer").contentType(ContentType.JSON).body("{\"title\": \"x\", \"severity\": \"SEV1\", \"scenario\": \"other\"}")
                .post("/incidents").then().statusCode(403);
        as("viewer").queryParam("month", "2026-13").get("/reviews/monthly").then().statusCode(400)
                .body("errors.field", hasItem("month"));
        as("viewer").get("/incidents/" + id + "/report?format=pdf").then().statusCode(400);
    }

    @Test
    void alertmanagerAlertsDeclareOrJoinAnIncidentAndShowInTheReport() {
        String payload = """
                {"version": "4", "status": "firing", "receiver": "lifeboat", "alerts": [
                  {"status": "firing", "labels": {"alertname": "LifeboatRpoBreached", "lifeboat_scenario": "infrastructure-loss",
                   "severity": "critical", "source": "analytics-db"},
                   "annotations": {"summary": "analytics-db RPO above target"}, "startsAt": "%s", "fingerprint": "abc"}]}""";
        Instant starts = Instant.now().minusSeconds(300).truncatedTo(ChronoUnit.SECONDS);
        List<String> first = as("operator").contentType(ContentType.JSON).body(payload.formatted(starts))
                .post("/alerts/alertmanager").then().statusCode(200).extract().path("incidents");
        List<String> second = as("operator").contentType(ContentType.JSON).body(payload.formatted(starts.plusSeconds(60)))
                .post("/alerts/alertmanager").then().statusCode(200).extract().path("incidents");
        assertThat(first).hasSize(1);
        assertThat(second).isEqualTo(first);
        String id = first.get(0);
        as("viewer").get("/incidents/" + id).then().body("severity", is("SEV1")).body("scenario", is("infrastructure-loss"))
                .body("impactStartedAt", is(starts.toString()));
        await().atMost(Duration.ofSeconds(30)).until(() -> as("viewer").accept("application/json")
                .get("/incidents/" + id + "/report").then().extract().jsonPath().getBoolean("alerts.fired"));
        as("viewer").accept("application/json").get("/incidents/" + id + "/report").then()
                .body("alerts.names", contains("LifeboatRpoBreached")).body("alerts.firstFiredAt", is(starts.toString()));

        as("operator").contentType(ContentType.JSON).body("{\"alerts\": \"nope\"}").post("/alerts/alertmanager")
                .then().statusCode(400).body("errors.field", hasItem("alerts"));
        as("operator").contentType(ContentType.JSON).body("{\"alerts\": [{\"status\": \"firing\"}]}").post("/alerts/alertmanager")
                .then().statusCode(400).body("errors.field", hasItem("alerts[0].labels"));
        as("operator").contentType(ContentType.JSON).body("{not json").post("/alerts/alertmanager").then().statusCode(400);
        as("operator").contentType(ContentType.JSON).body("""
                {"alerts": [{"status": "firing", "labels": {"lifeboat_scenario": "meteor"}}]}""")
                .post("/alerts/alertmanager").then().statusCode(400).body("errors.field", hasItem("alerts[0].labels.lifeboat_scenario"));
    }
}

package io.lifeboat.incident;

import io.lifeboat.events.CloudEvent;
import io.lifeboat.events.backup.BackupCompleted;
import io.lifeboat.events.backup.BackupFailed;
import io.lifeboat.events.backup.BackupVerified;
import io.lifeboat.events.backup.Retention;
import io.lifeboat.events.backup.SourceUpdated;
import io.lifeboat.events.restore.RestoreCompleted;
import io.lifeboat.events.restore.RestoreStarted;
import io.lifeboat.incident.eventlog.EventStore;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.lifeboat.incident.RealServers.as;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.is;

/**
 * The incident follows the work done for it (a linked restore makes it Restoring, "service restored" makes it
 * Monitoring, and resolve works from there, as the README's flow runs), and its report covers the seed plan's
 * eight checklist items, never calls a backup taken after the impact "no data loss", and shows the context of
 * the incident on its timeline rather than every backup of the hours before.
 */
@QuarkusTest
class IncidentFollowsTheWorkTest {

    @Inject
    EventStore store;

    private static String status(String id) {
        return as("viewer").get("/incidents/" + id).then().extract().path("status");
    }

    private static CloudEvent backup(String source, String id, Instant point, boolean ok) {
        Publish.send("/b", new BackupCompleted(id, source, "postgres", point, point, point.plusSeconds(10), 100, 40, "ab",
                "k", "m", "zstd", null, Map.of(), Map.of()), point.plusSeconds(10));
        return Publish.send("/b", new BackupVerified(id, source, ok, ok ? "ok" : "sha256 mismatch", true, point.plusSeconds(20)),
                point.plusSeconds(20));
    }

    @Test
    void aRestoreForTheIncidentMovesItAlongAndTheReportTellsTheTruth() {
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        Instant impact = now.minus(Duration.ofHours(3));
        String source = "follow-db";
        List<CloudEvent> events = new ArrayList<>();
        events.add(Publish.send("/b", new SourceUpdated(source, "postgres", "0 * * * *", Duration.ofHours(24), Retention.defaults(),
                false, false), impact.minus(Duration.ofHours(20))));
        // hourly backups before the impact: only the last good one explains the incident
        for (int h = 10; h >= 2; h--) {
            events.add(backup(source, source + "-old-" + h, impact.minus(Duration.ofHours(h)), true));
        }
        events.add(backup(source, source + "-last-good", impact.minus(Duration.ofMinutes(30)), true));
        events.add(Publish.send("/b", new BackupFailed(source + "-first-failed", source, "dump", "connection refused",
                impact.plusSeconds(600), impact.plusSeconds(610)), impact.plusSeconds(610)));
        events.add(Publish.send("/b", new BackupFailed(source + "-second-failed", source, "dump", "connection refused",
                impact.plusSeconds(4200), impact.plusSeconds(4210)), impact.plusSeconds(4210)));
        // the backup restored was taken after the impact started: it may hold the damage
        events.add(backup(source, source + "-after-impact", impact.plus(Duration.ofMinutes(5)), true));
        Publish.awaitStored(store, events.toArray(CloudEvent[]::new));

        String id = as("operator").contentType(ContentType.JSON).body("""
                        {"title": "follow the work", "severity": "SEV1", "scenario": "database-loss", "impactStartedAt": "%s",
                         "sources": ["%s"]}""".formatted(impact, source))
                .post("/incidents").then().statusCode(201).body("status", is("Declared")).extract().path("id");

        Instant restoreStart = now.minus(Duration.ofMinutes(30));
        CloudEvent started = Publish.send("/r", new RestoreStarted("restore-follow-1", source, source + "-after-impact",
                impact.plus(Duration.ofMinutes(5)), "home", "replace", "incident", id, null, restoreStart), restoreStart);
        CloudEvent completed = Publish.send("/r", new RestoreCompleted("restore-follow-1", source, source + "-after-impact",
                impact.plus(Duration.ofMinutes(5)), "home", "replace", "incident", id, null, restoreStart,
                restoreStart.plusSeconds(60), 60, 40, List.of()), restoreStart.plusSeconds(60));
        Publish.awaitStored(store, started, completed);
        await().atMost(Duration.ofSeconds(30)).until(() -> "Restoring".equals(status(id)));

        as("operator").contentType(ContentType.JSON).body("{}").post("/incidents/" + id + "/service-restored")
                .then().statusCode(200).body("status", is("Monitoring"));
        as("operator").contentType(ContentType.JSON).body("{\"status\": \"Resolved\"}").post("/incidents/" + id + "/status")
                .then().statusCode(200).body("status", is("Resolved"));

        await().atMost(Duration.ofSeconds(30)).until(() -> as("viewer").get("/incidents/" + id + "/timeline").then().extract()
                .jsonPath().getList("type").contains("lifeboat.incident.resolved.v1"));
        JsonPath timeline = as("viewer").get("/incidents/" + id + "/timeline").then().statusCode(200).extract().jsonPath();
        List<String> statusChanges = timeline.getList("findAll { it.type == 'lifeboat.incident.status.changed.v1' }.data.to");
        assertThat(statusChanges).containsExactly("Restoring", "Monitoring", "Resolved");
        List<String> backups = timeline.getList("findAll { it.type.startsWith('lifeboat.backup.') }.data.backupId");
        assertThat(backups).contains(source + "-last-good", source + "-first-failed", source + "-after-impact")
                .doesNotContain(source + "-old-5", source + "-old-10", source + "-second-failed");

        JsonPath report = as("viewer").accept("application/json").get("/incidents/" + id + "/report").then().statusCode(200)
                .extract().jsonPath();
        assertThat(report.getString("dataLoss[0].dataLoss")).isNull();
        assertThat(report.getString("dataLoss[0].withinTarget")).isNull();
        assertThat(report.getString("dataLoss[0].note")).contains("5m 00s after the impact started").contains("may contain the damage");
        String markdown = as("viewer").accept("text/markdown").get("/incidents/" + id + "/report").then().statusCode(200)
                .extract().asString();
        // the seed plan's post-incident checklist, all eight items
        assertThat(markdown).contains("## What happened (5 Ws)", "## Actual RTO achieved", "## Data loss (RPO)",
                "## Runbook updated with learnings?", "## Backup/restore tested since?", "## Did the monitoring alerts fire?",
                "## Post-mortem", "## Action items");
        assertThat(markdown).contains("not yet: run a drill of database-loss and debrief it");
    }
}

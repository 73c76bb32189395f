package io.lifeboat.incident;

import io.lifeboat.testsupport.Scratch;
import io.lifeboat.stack.Ports;
import io.lifeboat.stack.ServerProcess;
import io.lifeboat.testsupport.TestServers;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

import static io.lifeboat.incident.RealServers.as;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Debian's Prometheus Alertmanager, configured as deploy/prometheus/alertmanager.yml is (webhook with the
 * alertmanager token), posting to incident-service: a firing alert declares one incident however often it is
 * repeated, its resolution lands on that incident's timeline, and an alert without a Lifeboat scenario is kept.
 */
@QuarkusTest
class RealAlertmanagerTest {

    private static final Path BINARY = Path.of("/usr/bin/prometheus-alertmanager");
    private final HttpClient http = HttpClient.newHttpClient();
    private ServerProcess alertmanager;
    private int port;

    @BeforeEach
    void startAlertmanager() throws Exception {
        assertThat(BINARY).as("install Debian's prometheus-alertmanager (./lifeboat test does)").isExecutable();
        Path dir = Scratch.directory("alertmanager");
        Files.writeString(dir.resolve("token"), TestServers.get().token("alertmanager"));
        Files.writeString(dir.resolve("alertmanager.yml"), """
                route:
                  receiver: lifeboat
                  group_by: [alertname, source]
                  group_wait: 1s
                  group_interval: 2s
                  repeat_interval: 3s
                receivers:
                  - name: lifeboat
                    webhook_configs:
                      - url: http://127.0.0.1:%d/alerts/alertmanager
                        send_resolved: true
                        http_config:
                          authorization:
                            type: Bearer
                            credentials_file: %s
                """.formatted(RestAssured.port, dir.resolve("token")));
        port = Ports.free();
        alertmanager = new ServerProcess("alertmanager", dir.resolve("alertmanager.log"), dir.resolve("alertmanager.pid"));
        alertmanager.start(List.of(BINARY.toString(), "--config.file=" + dir.resolve("alertmanager.yml"),
                "--storage.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + port,
                "--cluster.listen-address="), dir, Map.of());
        alertmanager.awaitReady(() -> status("/-/ready") == 200, Duration.ofSeconds(60));
    }

    @AfterEach
    void stopAlertmanager() {
        alertmanager.stop(Duration.ofSeconds(10));
    }

    private int status(String path) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (Exception e) {
            return 0;
        }
    }

    private void post(String alertsJson) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v2/alerts"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(alertsJson)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }

    private static List<String> incidentsTitled(String title) {
        return as("viewer").queryParam("limit", 1000).get("/incidents").then().extract().jsonPath()
                .getList("items.findAll { it.title == '" + title + "' }.id");
    }

    @Test
    void aFiringAlertDeclaresOneIncidentAndItsResolutionLandsOnItsTimeline() throws Exception {
        Instant starts = Instant.now().minusSeconds(120).truncatedTo(ChronoUnit.SECONDS);
        String alert = """
                [{"labels": {"alertname": "LifeboatRpoBreached", "lifeboat_scenario": "database-loss", "source": "am-db",
                  "severity": "critical"}, "annotations": {"summary": "am-db: RPO exposure above target (real alertmanager)"},
                  "startsAt": "%s"%s}]""";
        post(alert.formatted(starts, ""));
        await().atMost(Duration.ofSeconds(60)).until(() -> incidentsTitled("am-db: RPO exposure above target (real alertmanager)").size() == 1);
        String id = incidentsTitled("am-db: RPO exposure above target (real alertmanager)").get(0);
        Thread.sleep(8000); // Alertmanager repeats the notification every 3 s meanwhile
        assertThat(incidentsTitled("am-db: RPO exposure above target (real alertmanager)")).containsExactly(id);

        post(alert.formatted(starts, ", \"endsAt\": \"" + Instant.now().minusSeconds(1).truncatedTo(ChronoUnit.SECONDS) + "\""));
        await().atMost(Duration.ofSeconds(60)).until(() -> as("viewer").get("/incidents/" + id + "/timeline").then().extract()
                .jsonPath().getList("findAll { it.type == 'lifeboat.incident.alert.received.v1' }.data.status").contains("resolved"));
        JsonPath timeline = as("viewer").get("/incidents/" + id + "/timeline").then().extract().jsonPath();
        assertThat(timeline.getList("findAll { it.type == 'lifeboat.incident.alert.received.v1' }.data.status", String.class))
                .as("one entry per state, however often Alertmanager repeated it").containsExactly("firing", "resolved");
        assertThat(timeline.getString("find { it.data.status == 'resolved' }.data.endsAt")).isNotNull();
    }

    @Test
    void anAlertWithoutALifeboatScenarioIsRecordedNotDropped() throws Exception {
        post("""
                [{"labels": {"alertname": "DiskAlmostFull", "instance": "db-host-1"},
                  "annotations": {"summary": "disk 95%% full"}, "startsAt": "%s"}]""".formatted(Instant.now().minusSeconds(30)));
        await().atMost(Duration.ofSeconds(60)).until(() -> as("viewer").queryParam("type", "lifeboat.incident.alert.received.v1")
                .get("/events").then().extract().jsonPath().getList("items.data.alertName").contains("DiskAlmostFull"));
        assertThat(incidentsTitled("disk 95% full")).isEmpty();
    }
}

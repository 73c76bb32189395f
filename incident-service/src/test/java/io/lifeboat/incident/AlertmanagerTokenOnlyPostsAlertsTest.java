package io.lifeboat.incident;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.Test;

import static io.lifeboat.incident.RealServers.as;

/** The token Alertmanager holds posts alerts and does nothing else: it cannot read or change incidents. */
@QuarkusTest
class AlertmanagerTokenOnlyPostsAlertsTest {

    @Test
    void itPostsAlertsAndNothingElse() {
        as("alertmanager").contentType(ContentType.JSON).body("""
                {"status": "firing", "alerts": [{"status": "firing", "labels": {"alertname": "Probe"},
                 "startsAt": "2026-11-30T10:00:00Z", "fingerprint": "probe-1"}]}""")
                .post("/alerts/alertmanager").then().statusCode(200);
        as("alertmanager").get("/incidents").then().statusCode(403);
        as("alertmanager").get("/events").then().statusCode(403);
        as("alertmanager").contentType(ContentType.JSON)
                .body("{\"title\": \"fake\", \"severity\": \"SEV1\", \"scenario\": \"other\"}").post("/incidents")
                .then().statusCode(403);
    }
}

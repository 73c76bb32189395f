package io.lifeboat.backup;

import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;

import java.time.Duration;

import static io.lifeboat.backup.RealServers.as;
import static org.awaitility.Awaitility.await;

/** Test helpers driving backups through the API. */
final class Backups {
    private Backups() {
    }

    static void putSource(String name, String json) {
        int status = as("operator").contentType(ContentType.JSON).body(json).put("/sources/" + name).then().extract().statusCode();
        if (status != 200 && status != 201) {
            throw new AssertionError("PUT /sources/" + name + " answered " + status);
        }
    }

    static String start(String source) {
        return as("operator").contentType(ContentType.JSON).body("{\"source\": \"" + source + "\"}").post("/backups")
                .then().statusCode(202).extract().path("id");
    }

    static JsonPath get(String id) {
        return as("viewer").get("/backups/" + id).then().statusCode(200).extract().jsonPath();
    }

    /** Waits until the backup Completed and its read-back verification (which runs right after) is recorded. */
    static JsonPath verified(String id) {
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200))
                .until(() -> {
                    JsonPath b = get(id);
                    return "Failed".equals(b.getString("phase")) || b.get("verification") != null;
                });
        return get(id);
    }

    /** Waits until the backup is Completed or Failed and returns it. */
    static JsonPath finished(String id) {
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200))
                .until(() -> {
                    String phase = get(id).getString("phase");
                    return "Completed".equals(phase) || "Failed".equals(phase);
                });
        return get(id);
    }
}

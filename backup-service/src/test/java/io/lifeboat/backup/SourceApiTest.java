package io.lifeboat.backup;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.Test;

import static io.lifeboat.backup.RealServers.as;
import static org.hamcrest.Matchers.*;

@QuarkusTest
class SourceApiTest {

    private static final String DIRECTORY = """
            {"kind": "directory", "path": "/var/lib/chroma_db", "schedule": "0 2 * * *", "rpoTarget": "PT24H"}""";

    @Test
    void createsReadsReplacesAndDeletesASource() {
        as("operator").contentType(ContentType.JSON).body(DIRECTORY).put("/sources/api-dir")
                .then().statusCode(201)
                .body("name", is("api-dir"))
                .body("kind", is("directory"))
                .body("rpoTarget", is("PT24H"))
                .body("retention.keepDaily", is(7))
                .body("retention.keepWeekly", is(4))
                .body("nextRunAt", endsWith("T02:00:00Z"));
        as("operator").contentType(ContentType.JSON)
                .body("{\"kind\": \"DIRECTORY\", \"path\": \"/var/lib/chroma_db\", \"rpoTarget\": \"PT6H\"}")
                .put("/sources/api-dir").then().statusCode(200).body("rpoTarget", is("PT6H"));
        as("viewer").get("/sources/api-dir").then().statusCode(200).body("path", is("/var/lib/chroma_db"));
        as("viewer").get("/sources").then().statusCode(200).body("name", hasItem("api-dir"));
        as("operator").delete("/sources/api-dir").then().statusCode(403);
        as("admin").delete("/sources/api-dir").then().statusCode(204);
        as("viewer").get("/sources/api-dir").then().statusCode(404)
                .contentType("application/problem+json").body("detail", containsString("api-dir"));
    }

    @Test
    void postgresSourceKeepsOnlyAPasswordReference() {
        as("operator").contentType(ContentType.JSON).body("""
                        {"kind": "postgres", "host": "127.0.0.1", "port": 5432, "database": "chatbot_analytics",
                         "user": "lifeboat", "passwordRef": "env:LIFEBOAT_SECRET_ANALYTICS"}""")
                .put("/sources/api-pg").then().statusCode(201)
                .body("passwordRef", is("env:LIFEBOAT_SECRET_ANALYTICS"))
                .body("$", not(hasKey("password")));
        as("operator").contentType(ContentType.JSON).body("""
                        {"kind": "postgres", "host": "h", "port": 5432, "database": "d", "user": "u", "passwordRef": "hunter2"}""")
                .put("/sources/api-pg").then().statusCode(400).body("errors.field", hasItem("passwordRef"));
    }

    @Test
    void badInputIsA400NamingTheField() {
        badRequest("api-bad", "{\"kind\": \"directory\", \"path\": \"/data\", \"schedule\": \"every day\"}", "schedule");
        badRequest("api-bad", "{\"kind\": \"directory\", \"path\": \"/data\", \"retention\": {\"keepLast\": -1}}", "retention.keepLast");
        badRequest("api-bad", "{\"kind\": \"directory\", \"path\": \"data/chroma\"}", "path");
        badRequest("api-bad", "{\"kind\": \"directory\", \"path\": \"/data/../etc\"}", "path");
        badRequest("api-bad", "{\"kind\": \"tape\", \"path\": \"/data\"}", "kind");
        badRequest("api-bad", "{\"path\": \"/data\"}", "kind");
        badRequest("api-bad", "{\"kind\": \"postgres\"}", "host");
        badRequest("api-bad", "{\"kind\": \"directory\", \"path\": \"/data\", \"rpoTarget\": \"yesterday\"}", "rpoTarget");
        badRequest("Bad_Name!", "{\"kind\": \"directory\", \"path\": \"/data\"}", "name");
        badRequest("api-bad", "{\"kind\": \"directory\", \"path\": \"/data\", \"sqliteFiles\": [\"/etc/*.db\"]}", "sqliteFiles");
        badRequest("api-bad", "{\"kind\": \"directory\", \"path\": \"/data\", \"sqliteFiles\": [\"../x.db\"]}", "sqliteFiles");
        badRequest("api-bad", "{\"kind\": \"directory\", \"path\": \"/data\", \"sqliteFiles\": [\"{a,b}.db\"]}", "sqliteFiles");
        badRequest("api-bad", "{\"kind\": \"directory\", \"path\": \"/data\", \"sqliteFiles\": [\"meta/[.db\"]}", "sqliteFiles");
        badRequest("api-bad", "{\"kind\": \"postgres\", \"host\": \"h\", \"port\": 5432, \"database\": \"d\", \"user\": \"u\", "
                + "\"passwordRef\": \"env:X\", \"sqliteFiles\": [\"*.db\"]}", "sqliteFiles");
        as("operator").contentType(ContentType.JSON).body("{not json").put("/sources/api-bad")
                .then().statusCode(400).contentType("application/problem+json");
        as("viewer").get("/sources/api-bad").then().statusCode(404);
    }

    @Test
    void tokensAreRequiredAndRolesEnforced() {
        RestAssured.given().get("/sources").then().statusCode(401)
                .contentType("application/problem+json").body("status", is(401)).body("detail", containsString("token"));
        RestAssured.given().header("Authorization", "Bearer not-a-jwt").get("/sources").then().statusCode(401)
                .contentType("application/problem+json");
        as("viewer").contentType(ContentType.JSON).body(DIRECTORY).put("/sources/api-viewer")
                .then().statusCode(403).contentType("application/problem+json").body("status", is(403));
        as("viewer").get("/sources/api-viewer").then().statusCode(404);
    }

    @Test
    void healthOpenApiAndMetricsNeedNoToken() {
        RestAssured.given().get("/q/health/ready").then().statusCode(200).body("status", is("UP"));
        RestAssured.given().get("/q/health/live").then().statusCode(200);
        RestAssured.given().get("/q/openapi").then().statusCode(200).body(containsString("/sources"));
        RestAssured.given().get("/q/metrics").then().statusCode(200).body(containsString("lifeboat_outbox_pending_events"));
    }

    private static void badRequest(String name, String body, String field) {
        as("operator").contentType(ContentType.JSON).body(body).put("/sources/" + name)
                .then().statusCode(400)
                .contentType("application/problem+json")
                .body("status", is(400))
                .body("errors.field", hasItem(field))
                .body("detail", containsString(field));
    }
}

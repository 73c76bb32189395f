package io.lifeboat.drill;

import io.lifeboat.testsupport.TestServers;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;

import static io.lifeboat.drill.RealServers.as;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.*;

@QuarkusTest
class ScenarioAndCalendarTest {

    @Test
    void builtInScenariosCarryTheRunbookBudgets() {
        as("viewer").get("/scenarios").then().statusCode(200)
                .body("name", hasItems("database-loss", "vector-store-corruption", "infrastructure-loss", "combined"));
        as("viewer").get("/scenarios/database-loss").then().statusCode(200)
                .body("steps.name", contains("assess", "identify-latest-backup", "download", "stop-services", "restore",
                        "verify", "restart-services", "smoke-tests"))
                .body("steps.find { it.name == 'assess' }.budgetSeconds", is(900))
                .body("rtoTarget", is("PT4H"))
                .body("rpoTarget", is("PT24H"));
        as("viewer").get("/scenarios/meteor-strike").then().statusCode(404).contentType("application/problem+json");
    }

    @Test
    void scenariosAreEditableAndBudgetsMustBePositive() {
        String body = """
                {"title": "Test", "sources": ["analytics-db"], "rtoTarget": "PT2H",
                 "steps": [{"name": "restore", "kind": "automated", "budgetSeconds": 600}]}""";
        as("operator").contentType(ContentType.JSON).body(body).put("/scenarios/test-edit").then().statusCode(201)
                .body("totalBudget", is("PT10M"));
        as("viewer").contentType(ContentType.JSON).body(body).put("/scenarios/test-edit").then().statusCode(403);
        as("operator").contentType(ContentType.JSON).body(body.replace("600", "0")).put("/scenarios/test-edit")
                .then().statusCode(400).body("errors.field", hasItem("steps[0].budgetSeconds"));
        as("operator").contentType(ContentType.JSON).body(body.replace("600", "-5")).put("/scenarios/test-edit")
                .then().statusCode(400).body("detail", containsString("budgetSeconds"));
        as("operator").contentType(ContentType.JSON).body(body.replace("\"automated\"", "\"sometimes\"")).put("/scenarios/test-edit")
                .then().statusCode(400).body("detail", containsString("kind"));
    }

    @Test
    void calendarFollowsTheRunbookQuarters() {
        as("viewer").queryParam("year", 2027).get("/calendar").then().statusCode(200)
                .body("scenario", contains("database-loss", "vector-store-corruption", "infrastructure-loss", "combined"))
                .body("date", contains("2027-03-15", "2027-06-15", "2027-09-15", "2027-12-15"))
                .body("[0].announceAt", is("2027-03-08T10:00:00Z"))
                .body("[0].drillId", is("drill-20270315-database-loss"));
        as("viewer").queryParam("year", "soon").get("/calendar").then().statusCode(400).body("errors.field", hasItem("year"));
        RestAssured.given().get("/calendar").then().statusCode(401);
    }

    @Test
    void calendarDrillsAreScheduledOnceWithAnEvent() {
        int next = LocalDate.now(ZoneOffset.UTC).getYear() + 1;
        String id = "drill-" + next + "0315-database-loss";
        as("viewer").queryParam("year", next).get("/calendar").then().statusCode(200)
                .body("find { it.drillId == '" + id + "' }.phase", is("Scheduled"));
        var scheduled = TestServers.get().kafka().readTopic("lifeboat.drill", Duration.ofSeconds(5)).stream()
                .filter(r -> r.value().contains("lifeboat.drill.scheduled.v1") && r.value().contains(id)).toList();
        assertThat(scheduled).hasSize(1);
    }
}

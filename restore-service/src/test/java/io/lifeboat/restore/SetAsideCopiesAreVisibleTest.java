package io.lifeboat.restore;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.S3Client;

import static io.lifeboat.restore.RealServers.as;
import static io.lifeboat.restore.Restores.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.*;

/** What a replace moved aside is listed with size and age, and only an admin who names it can delete it. */
@QuarkusTest
class SetAsideCopiesAreVisibleTest {

    @Inject
    S3Client s3;

    @Test
    void aSetAsideDatabaseIsListedAndDeletedOnlyByAnAdminWhoNamesIt() throws Exception {
        databaseWithBackup(s3, "aside-src", "aside_live", 7);
        sql("aside_live", "DELETE FROM t WHERE id > 2");
        pgTarget("aside-home", "aside_live", true);
        String id = as("admin").contentType(ContentType.JSON)
                .body("{\"source\": \"aside-src\", \"target\": \"aside-home\", \"mode\": \"replace\", \"confirm\": \"aside-home\"}")
                .post("/restores").then().statusCode(202).extract().path("id");
        JsonPath r = finished(id);
        assertThat(r.getString("phase")).as(r.prettify()).isEqualTo("Completed");
        String aside = r.getString("movedAsideAs");

        as("viewer").get("/targets/aside-home/set-aside").then().statusCode(200)
                .body("name", hasItem(aside))
                .body("find { it.name == '" + aside + "' }.sizeBytes", greaterThan(0))
                .body("find { it.name == '" + aside + "' }.age", startsWith("PT"));
        as("operator").delete("/targets/aside-home/set-aside/" + aside + "?confirm=" + aside).then().statusCode(403);
        as("admin").delete("/targets/aside-home/set-aside/" + aside).then().statusCode(400)
                .body("errors.field", hasItem("confirm"));
        as("admin").delete("/targets/aside-home/set-aside/aside_live?confirm=aside_live").then().statusCode(404);
        assertThat(databaseExists(aside)).isTrue();

        as("admin").delete("/targets/aside-home/set-aside/" + aside + "?confirm=" + aside).then().statusCode(204);
        assertThat(databaseExists(aside)).isFalse();
        assertThat(count("aside_live", "SELECT count(*) FROM t")).isEqualTo(7);
    }
}

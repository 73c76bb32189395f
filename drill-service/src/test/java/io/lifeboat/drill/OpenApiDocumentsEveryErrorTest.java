package io.lifeboat.drill;

import io.lifeboat.testsupport.OpenApiContract;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** The Swagger UI is enough to use this service: every operation documents its bodies and its problem responses. */
@QuarkusTest
class OpenApiDocumentsEveryErrorTest {

    @Test
    void everyOperationDocumentsItsProblemsAndBodies() throws Exception {
        String json = RestAssured.given().queryParam("format", "json").get("/q/openapi").then().statusCode(200).extract().asString();
        assertThat(OpenApiContract.violations(json, Set.of("POST /drills/{id}/steps/{step}/done"))).isEmpty();
    }
}

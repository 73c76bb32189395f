package io.lifeboat.restore;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.Test;


import static io.lifeboat.restore.RealServers.as;
import static org.hamcrest.Matchers.*;

@QuarkusTest
class TargetApiTest {

    @Test
    void adminsRegisterTargetsOthersRead() {
        String body = """
                {"kind": "directory", "source": "vector-store-t", "path": "/srv/chroma_db", "production": true}""";
        as("operator").contentType(ContentType.JSON).body(body).put("/targets/chroma-t").then().statusCode(403);
        as("admin").contentType(ContentType.JSON).body(body).put("/targets/chroma-t").then().statusCode(201)
                .body("production", is(true)).body("source", is("vector-store-t"));
        as("viewer").get("/targets").then().statusCode(200).body("name", hasItem("chroma-t"));
        as("admin").contentType(ContentType.JSON).body("""
                        {"kind": "directory", "source": "vector-store-t", "path": "/srv/other"}""")
                .put("/targets/other-t").then().statusCode(400).body("errors.field", hasItem("source"));
        as("admin").contentType(ContentType.JSON).body("{\"kind\": \"directory\", \"path\": \"relative\"}")
                .put("/targets/bad-t").then().statusCode(400).body("errors.field", hasItem("path"));
        as("admin").contentType(ContentType.JSON).body("{\"kind\": \"nfs\", \"path\": \"/x\"}")
                .put("/targets/bad-t").then().statusCode(400).body("errors.field", hasItem("kind"));
        RestAssured.given().get("/targets").then().statusCode(401);
    }

    @Test
    void anAdminCanDeclareAProductionTargetNonProductionAgain() {
        String production = """
                {"kind": "directory", "path": "/srv/demoted-t", "production": true}""";
        as("admin").contentType(ContentType.JSON).body(production).put("/targets/demoted-t").then().statusCode(201);
        // its own earlier declaration does not make it a production object it would overlap
        as("admin").contentType(ContentType.JSON).body(production.replace("true", "false")).put("/targets/demoted-t")
                .then().statusCode(200).body("production", is(false));
        // another production target's folder still cannot be taken by a non-production one
        as("admin").contentType(ContentType.JSON).body(production.replace("demoted-t", "kept-t")).put("/targets/kept-t")
                .then().statusCode(201);
        as("admin").contentType(ContentType.JSON).body("{\"kind\": \"directory\", \"path\": \"/srv/kept-t/inside\"}")
                .put("/targets/demoted-t").then().statusCode(409).body("detail", containsString("kept-t"));
    }

    @Test
    void targetsDeclaredInConfigurationAreRegisteredAtStart() {
        as("viewer").get("/targets/declared-scratch").then().statusCode(200)
                .body("kind", is("directory")).body("path", is("/tmp/lifeboat-declared-scratch")).body("production", is(false));
    }


    @Test
    void healthIsUp() {
        RestAssured.given().get("/q/health/ready").then().statusCode(200).body("status", is("UP"));
    }
}

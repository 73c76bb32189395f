package io.lifeboat.restore;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.S3Client;

import static io.lifeboat.restore.RealServers.as;
import static io.lifeboat.restore.Restores.databaseWithBackup;
import static io.lifeboat.restore.Restores.pgTarget;
import static org.hamcrest.Matchers.*;

/** A restore's HTTP checks call only URLs its target's admin allowed: restore-service is no proxy into the network. */
@QuarkusTest
class HttpChecksReachOnlyAllowedUrlsTest {

    @Inject
    S3Client s3;

    @Test
    void aCheckUrlTheTargetDoesNotAllowIsRefusedBeforeAnythingStarts() throws Exception {
        databaseWithBackup(s3, "http-src", "http_src", 5);
        pgTarget("http-scratch", "http_scratch_home", false);
        as("operator").contentType(ContentType.JSON).body("""
                        {"source": "http-src", "target": "http-scratch", "mode": "new",
                         "checks": [{"type": "http", "url": "http://169.254.169.254/latest/meta-data/iam/security-credentials/"}]}""")
                .post("/restores").then().statusCode(400).contentType("application/problem+json")
                .body("errors.field", hasItem("checks[0].url")).body("detail", containsString("httpCheckUrls"));
        as("viewer").get("/restores").then().body("items.source", not(hasItem("http-src")));
    }
}

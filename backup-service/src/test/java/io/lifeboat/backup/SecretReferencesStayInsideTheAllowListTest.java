package io.lifeboat.backup;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.Test;

import static io.lifeboat.backup.RealServers.as;
import static org.hamcrest.Matchers.*;

/**
 * A source's passwordRef can name only the secrets of protected systems (env LIFEBOAT_SECRET_*, files in the
 * secrets folder), never backup-service's own (its database password, the S3 keys, the key sets), which a source
 * pointed at a server of the attacker's would otherwise hand over. Hosts are host names, not URL fragments.
 */
@QuarkusTest
class SecretReferencesStayInsideTheAllowListTest {

    private static void refused(String name, String host, String passwordRef, String field) {
        as("operator").contentType(ContentType.JSON).body("""
                        {"kind": "postgres", "host": "%s", "port": 5432, "database": "d", "user": "u", "passwordRef": "%s"}"""
                        .formatted(host, passwordRef))
                .put("/sources/" + name).then().statusCode(400).contentType("application/problem+json")
                .body("errors.field", hasItem(field));
        as("viewer").get("/sources/" + name).then().statusCode(404);
    }

    @Test
    void theServicesOwnSecretsCannotBeReferenced() {
        refused("steal-db-pw", "evil.example", "env:QUARKUS_DATASOURCE_PASSWORD", "passwordRef");
        refused("steal-s3", "evil.example", "env:LIFEBOAT_S3_SECRET_KEY", "passwordRef");
        refused("steal-pg", "evil.example", "env:LIFEBOAT_PG_PASSWORD", "passwordRef");
        refused("steal-keyset", "evil.example", "file:" + java.nio.file.Path.of("target/test-keys/backup-keyset.json")
                .toAbsolutePath(), "passwordRef");
        refused("steal-passwd", "evil.example", "file:/etc/shadow", "passwordRef");
        refused("climb-out", "evil.example", "file:" + io.lifeboat.testsupport.TestSecrets.FOLDER + "/../../test-keys/backup-keyset.json",
                "passwordRef");
    }

    @Test
    void hostsAreHostNamesOrAddresses() {
        refused("url-host", "db.example/x?sslmode=disable&user=postgres", "env:LIFEBOAT_SECRET_DB", "host");
        refused("param-host", "db.example:5432/postgres?password=x", "env:LIFEBOAT_SECRET_DB", "host");
    }

    @Test
    void referencesInsideTheAllowListAreAccepted() {
        as("operator").contentType(ContentType.JSON).body("""
                        {"kind": "postgres", "host": "db-1.internal", "port": 5432, "database": "d", "user": "u",
                         "passwordRef": "env:LIFEBOAT_SECRET_DB_1"}""")
                .put("/sources/allowed-env").then().statusCode(201).body("passwordRef", is("env:LIFEBOAT_SECRET_DB_1"));
        as("operator").contentType(ContentType.JSON).body("""
                        {"kind": "postgres", "host": "10.0.0.7", "port": 5432, "database": "d", "user": "u",
                         "passwordRef": "file:%s/db-1"}""".formatted(io.lifeboat.testsupport.TestSecrets.FOLDER))
                .put("/sources/allowed-file").then().statusCode(201);
    }
}

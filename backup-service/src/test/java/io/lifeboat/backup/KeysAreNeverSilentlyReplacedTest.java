package io.lifeboat.backup;

import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.Statement;

import static org.hamcrest.Matchers.*;

/**
 * Backups encrypted with a key the keyset does not hold (a keyset silently replaced, or not brought back after
 * a disaster) make backup-service not ready, with the key named, instead of failing at 3 a.m. during a restore.
 * That a missing keyset is a startup error outside the local stack is {@code BackupServiceRefusesToStartWithoutItsKeysIT}.
 */
@QuarkusTest
class KeysAreNeverSilentlyReplacedTest {

    @Inject
    AgroalDataSource dataSource;

    private void sql(String statement) throws Exception {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.executeUpdate(statement);
        }
    }

    @Test
    void readinessIsDownNamingAKeyTheKeysetDoesNotHold() throws Exception {
        RestAssured.given().get("/q/health/ready").then().statusCode(200);
        sql("INSERT INTO backup (id, source, kind, phase, trigger, created_at, completed_at, recovery_point_at, "
                + "encryption_key_id) VALUES ('orphan-key-1', 'orphan-key', 'directory', 'Completed', 'manual', now(), now(), "
                + "now(), 'tink-424242')");
        try {
            RestAssured.given().get("/q/health/ready").then().statusCode(503)
                    .body("checks.find { it.name == 'backup encryption keys' }.status", is("DOWN"))
                    .body("checks.find { it.name == 'backup encryption keys' }.data.missing", containsString("tink-424242"));
        } finally {
            sql("DELETE FROM backup WHERE id = 'orphan-key-1'");
        }
        RestAssured.given().get("/q/health/ready").then().statusCode(200);
    }
}

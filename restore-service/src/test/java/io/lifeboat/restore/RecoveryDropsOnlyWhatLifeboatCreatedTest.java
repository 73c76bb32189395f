package io.lifeboat.restore;

import io.agroal.api.AgroalDataSource;
import io.lifeboat.restore.restore.InstanceId;
import io.lifeboat.restore.restore.RestoreRecovery;
import io.lifeboat.testsupport.TestServers;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.S3Client;

import java.sql.Connection;
import java.sql.Statement;

import static io.lifeboat.restore.RealServers.as;
import static io.lifeboat.restore.Restores.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.*;

/**
 * A restore never writes into, nor drops, a database it did not create: an existing name is refused at request
 * time, and recovery after a crash drops only a database carrying the restore's own ownership mark.
 */
@QuarkusTest
class RecoveryDropsOnlyWhatLifeboatCreatedTest {

    @Inject
    S3Client s3;

    @Inject
    AgroalDataSource dataSource;

    @Inject
    RestoreRecovery recovery;

    @Inject
    InstanceId instance;

    /** A restore row left InProgress by a crash of this instance, claiming {@code restoredAs} as its copy. */
    private void crashedRestore(String id, String restoredAs) throws Exception {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.executeUpdate("INSERT INTO restore (id, source, target, target_kind, mode, reason, phase, requested_at, started_at, "
                    + "restored_as, owner_instance, heartbeat_at, backup_selector) VALUES ('" + id + "', 'own-src', 'own-scratch', "
                    + "'postgres', 'NEW', 'manual', 'InProgress', now(), now(), '" + restoredAs + "', '" + instance.value()
                    + "', now(), 'latest')");
        }
    }

    @Test
    void anExistingDatabaseCannotBeNamedAsTheNewCopy() throws Exception {
        databaseWithBackup(s3, "own-src", "own_src", 10);
        pgTarget("own-scratch", "own_scratch_home", false);
        TestServers.get().postgres().createDatabase("someone_elses");
        sql("someone_elses", "CREATE TABLE IF NOT EXISTS keep (v int); INSERT INTO keep VALUES (1)");
        as("operator").contentType(ContentType.JSON).body("""
                        {"source": "own-src", "target": "own-scratch", "mode": "new", "restoreAs": "someone_elses"}""")
                .post("/restores").then().statusCode(409).body("detail", containsString("someone_elses already exists"));
        assertThat(count("someone_elses", "SELECT count(*) FROM keep")).isPositive();
    }

    @Test
    void recoveryLeavesADatabaseWithoutTheRestoresMarkAlone() throws Exception {
        pgTarget("own-scratch", "own_scratch_home", false);
        TestServers.get().postgres().createDatabase("not_lifeboats");
        sql("not_lifeboats", "CREATE TABLE IF NOT EXISTS keep (v int); INSERT INTO keep VALUES (1)");
        crashedRestore("restore-crashed-foreign", "not_lifeboats");

        recovery.failInterrupted();

        assertThat(databaseExists("not_lifeboats")).as("recovery must not drop what Lifeboat did not create").isTrue();
        as("viewer").get("/restores/restore-crashed-foreign").then().statusCode(200).body("phase", is("Failed"))
                .body("error", containsString("left alone"));
    }

    @Test
    void recoveryDropsTheUnfinishedCopyItCreatedItself() throws Exception {
        pgTarget("own-scratch", "own_scratch_home", false);
        TestServers.get().postgres().createDatabase("own_unfinished_copy");
        sql("postgres", "COMMENT ON DATABASE own_unfinished_copy IS 'lifeboat restore restore-crashed-own'");
        crashedRestore("restore-crashed-own", "own_unfinished_copy");

        recovery.failInterrupted();

        assertThat(databaseExists("own_unfinished_copy")).isFalse();
        as("viewer").get("/restores/restore-crashed-own").then().statusCode(200).body("phase", is("Failed"))
                .body("error", containsString("unfinished copy own_unfinished_copy was dropped"));
    }
}

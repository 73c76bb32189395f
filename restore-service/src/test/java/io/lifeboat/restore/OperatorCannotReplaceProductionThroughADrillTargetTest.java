package io.lifeboat.restore;

import io.lifeboat.events.storage.BackupManifest;
import io.lifeboat.stack.PostgresServer;
import io.lifeboat.testsupport.Scratch;
import io.lifeboat.testsupport.TestSecrets;
import io.lifeboat.testsupport.TestServers;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

import static io.lifeboat.restore.RealServers.as;
import static io.lifeboat.restore.Restores.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.*;

/**
 * A replace restore acts on its target's database, never on the database the backup came from; a non-production
 * target can never resolve to production data (a production target's or a backup source's database or folder), whoever
 * asks; and the drill token only restores copies into non-production targets.
 */
@QuarkusTest
class OperatorCannotReplaceProductionThroughADrillTargetTest {

    @Inject
    S3Client s3;

    @BeforeEach
    void productionAndADrillTarget() throws Exception {
        databaseWithBackup(s3, "prod-shop", "prod_shop", 1200);
        pgTarget("prod-shop-home", "prod_shop", true);
        pgTarget("drill-like", "drill_like_scratch", false);
    }

    @Test
    void aReplaceIntoANonProductionTargetTouchesOnlyThatTargetsDatabase() throws Exception {
        String id = as("operator").contentType(ContentType.JSON)
                .body("{\"source\": \"prod-shop\", \"target\": \"drill-like\", \"mode\": \"replace\"}").post("/restores")
                .then().statusCode(202).extract().path("id");
        JsonPath r = finished(id);
        assertThat(r.getString("phase")).as(r.prettify()).isEqualTo("Completed");
        assertThat(r.getString("restoredAs")).isEqualTo("drill_like_scratch");
        assertThat(count("drill_like_scratch", "SELECT count(*) FROM t")).isEqualTo(1200);
        assertThat(databaseExists("prod_shop")).as("production was not touched").isTrue();
        assertThat(count("prod_shop", "SELECT count(*) FROM t")).isEqualTo(1200);
        assertThat(count("postgres", "SELECT count(*) FROM pg_database WHERE datname LIKE 'prod_shop_corrupted_%'")).isZero();
    }

    @Test
    void aNonProductionTargetCannotBeRegisteredOverProductionData() {
        PostgresServer pg = TestServers.get().postgres();
        String body = """
                {"kind": "postgres", "host": "localhost", "port": %d, "database": "%s", "user": "lifeboat",
                 "passwordRef": "file:%s/restores-pg", "production": false}""";
        as("admin").contentType(ContentType.JSON).body(body.formatted(pg.port(), "prod_shop", TestSecrets.FOLDER))
                .put("/targets/over-production").then().statusCode(409)
                .body("detail", containsString("production target 'prod-shop-home'"));
        // a backup source's database counts as production too, with or without a target registered for it
        databaseWithBackupQuietly("other-source", "other_source_db");
        as("admin").contentType(ContentType.JSON).body(body.formatted(pg.port(), "other_source_db", TestSecrets.FOLDER))
                .put("/targets/over-source").then().statusCode(409)
                .body("detail", containsString("backup source 'other-source'"));
        as("viewer").get("/targets/over-production").then().statusCode(404);
    }

    @Test
    void aNonProductionFolderTargetCannotLieInABackupSourcesFolder() throws Exception {
        // a chunked source: its chunk store lies beside its backup folders in the bucket, and other sources' too
        Path folder = Scratch.directory("source-folder").resolve("chroma_db");
        BackupFixtures.write(folder.resolve("chroma.sqlite3"), "the source's data");
        BackupFixtures.chunked(s3, "folder-source", folder, Instant.now().minusSeconds(60), 4096, false, 4);
        // a folder marker (some S3 tools write one) sorts before the backup folders: the listing goes past it
        s3.putObject(b -> b.bucket(BackupFixtures.BUCKET).key("backups/folder-source/"), RequestBody.empty());
        as("admin").contentType(ContentType.JSON).body("{\"kind\": \"directory\", \"path\": \"" + folder.resolve("inside") + "\"}")
                .put("/targets/in-a-source-folder").then().statusCode(409)
                .body("detail", containsString("backup source 'folder-source'"));
        as("admin").contentType(ContentType.JSON).body("{\"kind\": \"directory\", \"path\": \"" + folder.resolveSibling("copies") + "\"}")
                .put("/targets/beside-a-source-folder").then().statusCode(201);
        // a new restore through it (which lands beside its folder) named after the source's folder is refused too
        as("operator").contentType(ContentType.JSON).body("""
                        {"source": "folder-source", "target": "beside-a-source-folder", "mode": "new", "restoreAs": "chroma_db"}""")
                .post("/restores").then().statusCode(409).body("detail", containsString("backup source 'folder-source'"));
        assertThat(Files.readString(folder.resolve("chroma.sqlite3"))).isEqualTo("the source's data");
    }

    @Test
    void aNewRestoreIntoANonProductionTargetCannotBeNamedAfterProductionData() {
        as("operator").contentType(ContentType.JSON).body("""
                        {"source": "prod-shop", "target": "drill-like", "mode": "new", "restoreAs": "prod_shop"}""")
                .post("/restores").then().statusCode(409).body("detail", containsString("production target 'prod-shop-home'"));
    }

    @Test
    void theDrillTokenRestoresOnlyCopiesIntoNonProductionTargets() {
        as("drill").contentType(ContentType.JSON).body("""
                        {"source": "prod-shop", "target": "prod-shop-home", "mode": "replace", "reason": "drill", "drillId": "d-1",
                         "confirm": "prod-shop-home"}""")
                .post("/restores").then().statusCode(403);
        as("drill").contentType(ContentType.JSON).body("""
                        {"source": "prod-shop", "target": "drill-like", "mode": "replace", "reason": "drill", "drillId": "d-1"}""")
                .post("/restores").then().statusCode(403);
        as("drill").contentType(ContentType.JSON).body("""
                        {"source": "prod-shop", "target": "prod-shop-home", "mode": "new", "reason": "drill", "drillId": "d-1",
                         "restoreAs": "drill_copy_in_prod"}""")
                .post("/restores").then().statusCode(403);
        String id = as("drill").contentType(ContentType.JSON).body("""
                        {"source": "prod-shop", "target": "drill-like", "mode": "new", "reason": "drill", "drillId": "d-1",
                         "restoreAs": "drill_copy_d1"}""")
                .post("/restores").then().statusCode(202).extract().path("id");
        assertThat(finished(id).getString("phase")).isEqualTo("Completed");
    }

    private void databaseWithBackupQuietly(String source, String database) {
        try {
            BackupManifest ignored = databaseWithBackup(s3, source, database, 3);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}

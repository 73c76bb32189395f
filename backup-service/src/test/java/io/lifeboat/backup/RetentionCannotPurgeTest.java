package io.lifeboat.backup;

import io.lifeboat.testsupport.Scratch;
import io.lifeboat.backup.backup.Retention;
import io.lifeboat.bucket.S3Config;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

import java.nio.file.Files;
import java.nio.file.Path;

import static io.lifeboat.backup.Backups.*;
import static io.lifeboat.backup.RealServers.as;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.*;

/**
 * Retention is not a way to purge backups: keepLast 0 is refused, keeping fewer needs an admin, and retention
 * never deletes the newest verified backup nor anything while the newest backup is damaged.
 */
@QuarkusTest
class RetentionCannotPurgeTest {

    @Inject
    Retention retention;

    @Inject
    S3Client s3;

    @Inject
    S3Config s3Config;

    private static String directory(Path dir, String retention) {
        return "{\"kind\": \"directory\", \"path\": \"" + dir + "\", \"retention\": " + retention + "}";
    }

    @Test
    void keepLastZeroIsRefused() throws Exception {
        Path dir = Scratch.directory("retention-zero");
        as("admin").contentType(ContentType.JSON).body(directory(dir, "{\"keepLast\": 0}")).put("/sources/keep-zero")
                .then().statusCode(400).body("errors.field", hasItem("retention.keepLast"));
    }

    @Test
    void keepingFewerBackupsThanBeforeNeedsAnAdmin() throws Exception {
        Path dir = Scratch.directory("retention-fewer");
        as("operator").contentType(ContentType.JSON).body(directory(dir, "{\"keepLast\": 10, \"keepDaily\": 7}"))
                .put("/sources/keep-fewer").then().statusCode(201);
        as("operator").contentType(ContentType.JSON).body(directory(dir, "{\"keepLast\": 1, \"keepDaily\": 7}"))
                .put("/sources/keep-fewer").then().statusCode(403).body("detail", containsString("keepLast 10 -> 1"));
        as("operator").contentType(ContentType.JSON).body(directory(dir, "{\"keepLast\": 10}"))
                .put("/sources/keep-fewer").then().statusCode(403).body("detail", containsString("keepDaily 7 -> none"));
        as("operator").contentType(ContentType.JSON).body(directory(dir, "{\"keepLast\": 20, \"keepDaily\": 7}"))
                .put("/sources/keep-fewer").then().statusCode(200);
        as("admin").contentType(ContentType.JSON).body(directory(dir, "{\"keepLast\": 1}"))
                .put("/sources/keep-fewer").then().statusCode(200).body("retention.keepLast", is(1));
    }

    @Test
    void retentionNeverDeletesTheLastGoodBackupWhileTheNewestIsDamaged() throws Exception {
        Path dir = Scratch.directory("retention-damaged");
        Files.writeString(dir.resolve("data.txt"), "good data");
        putSource("keep-good", directory(dir, "{\"keepLast\": 2}"));
        JsonPath good = verified(start("keep-good"));
        assertThat(good.getBoolean("verification.ok")).isTrue();
        JsonPath damaged = verified(start("keep-good"));
        assertThat(damaged.getString("phase")).isEqualTo("Completed");
        // the newer backup's stored bytes get damaged: its read-back verification now fails
        s3.putObject(b -> b.bucket(s3Config.bucket()).key(damaged.getString("objectKey")), RequestBody.fromString("garbage"));
        as("operator").post("/backups/" + damaged.getString("id") + "/verify").then().statusCode(200).body("ok", is(false));
        // an admin tightens retention to the newest backup only
        as("admin").contentType(ContentType.JSON).body(directory(dir, "{\"keepLast\": 1}")).put("/sources/keep-good")
                .then().statusCode(200);

        retention.apply("keep-good");

        JsonPath stillThere = get(good.getString("id"));
        assertThat(stillThere.getString("expiredAt")).as("the only good backup must survive keepLast 1").isNull();
        assertThat(s3.listObjectsV2(b -> b.bucket(s3Config.bucket()).prefix(good.getString("objectKey"))).contents()).hasSize(1);
    }
}

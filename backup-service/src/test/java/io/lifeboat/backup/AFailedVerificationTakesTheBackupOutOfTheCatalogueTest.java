package io.lifeboat.backup;

import io.lifeboat.testsupport.Scratch;
import io.lifeboat.bucket.BackupBucket;
import io.lifeboat.bucket.S3Config;
import io.quarkus.test.junit.QuarkusTest;
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
 * A backup whose read-back no longer matches its manifest is marked (verification.ok false, backup.verified.v1
 * with ok false) and taken out of the catalogue, so that no `latest`, no `--at` and no RPO counts it: the
 * recovery point of the source falls back to the newest backup that still verifies.
 */
@QuarkusTest
class AFailedVerificationTakesTheBackupOutOfTheCatalogueTest {

    @Inject
    S3Client s3;

    @Inject
    S3Config s3Config;

    private boolean stored(String key) {
        return !s3.listObjectsV2(b -> b.bucket(s3Config.bucket()).prefix(key)).contents().isEmpty();
    }

    @Test
    void aDamagedBackupIsNeverTheRecoveryPoint() throws Exception {
        Path dir = Scratch.directory("verify-damaged");
        Files.writeString(dir.resolve("data.txt"), "the data");
        putSource("verify-damaged", "{\"kind\": \"directory\", \"path\": \"" + dir + "\", \"retention\": {\"keepLast\": 5}}");
        JsonPath good = verified(start("verify-damaged"));
        JsonPath damaged = verified(start("verify-damaged"));
        assertThat(damaged.getBoolean("verification.ok")).isTrue();
        as("viewer").get("/sources/verify-damaged/recovery-point").then().statusCode(200).body("id", is(damaged.getString("id")));

        s3.putObject(b -> b.bucket(s3Config.bucket()).key(damaged.getString("objectKey")), RequestBody.fromString("bit rot"));
        as("operator").post("/backups/" + damaged.getString("id") + "/verify").then().statusCode(200)
                .body("ok", is(false)).body("detail", containsString("taken out of the catalogue"));

        as("viewer").get("/backups/" + damaged.getString("id")).then().statusCode(200).body("verification.ok", is(false));
        assertThat(stored(damaged.getString("manifestKey"))).as("its manifest no longer makes it a backup").isFalse();
        assertThat(stored(BackupBucket.quarantineKeyOf(damaged.getString("manifestKey")))).as("nothing is deleted").isTrue();
        as("viewer").get("/sources/verify-damaged/recovery-point").then().statusCode(200).body("id", is(good.getString("id")));
    }
}

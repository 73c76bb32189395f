package io.lifeboat.restore;

import io.lifeboat.events.EventCodec;
import io.lifeboat.events.storage.BackupManifest;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

import java.nio.charset.StandardCharsets;

import static io.lifeboat.restore.RealServers.as;
import static io.lifeboat.restore.Restores.databaseWithBackup;
import static io.lifeboat.restore.Restores.pgTarget;
import static org.hamcrest.Matchers.*;

/**
 * A manifest carries a MAC whose key is not in the bucket: whoever can write the bucket cannot make Lifeboat
 * list or restore a backup it did not write, encrypted or not.
 */
@QuarkusTest
class TamperedManifestsAreRefusedTest {

    @Inject
    S3Client s3;

    private static String manifestKey(BackupManifest m) {
        return m.objectKey().replace("/data", "/manifest.json");
    }

    @Test
    void aManifestWithoutAMacIsNotABackup() throws Exception {
        BackupManifest m = databaseWithBackup(s3, "forged", "forged_src", 5);
        s3.putObject(b -> b.bucket(BackupFixtures.BUCKET).key(manifestKey(m)), RequestBody.fromString(EventCodec.toJson(m)));
        as("viewer").queryParam("source", "forged").get("/catalog").then().statusCode(200)
                .body("items", empty())
                .body("refused.key", hasItem(manifestKey(m)))
                .body("refused[0].reason", containsString("not written by this Lifeboat"));
        as("viewer").get("/catalog/forged/latest").then().statusCode(404);
        pgTarget("forged-scratch", "forged_scratch_home", false);
        as("operator").contentType(ContentType.JSON)
                .body("{\"source\": \"forged\", \"backup\": \"" + m.backupId() + "\", \"target\": \"forged-scratch\"}")
                .post("/restores").then().statusCode(409).body("detail", containsString("not written by this Lifeboat"));
    }

    @Test
    void aManifestChangedAfterItWasSignedIsRefused() throws Exception {
        BackupManifest m = databaseWithBackup(s3, "altered", "altered_src", 5);
        String signed = s3.getObjectAsBytes(b -> b.bucket(BackupFixtures.BUCKET).key(manifestKey(m))).asString(StandardCharsets.UTF_8);
        // point the manifest at other data, keeping the MAC
        String altered = signed.replace("\"storedBytes\":" + m.storedBytes(), "\"storedBytes\":" + (m.storedBytes() + 1));
        s3.putObject(b -> b.bucket(BackupFixtures.BUCKET).key(manifestKey(m)), RequestBody.fromString(altered));
        as("viewer").queryParam("source", "altered").get("/catalog").then().statusCode(200)
                .body("items", empty()).body("refused[0].reason", containsString("does not verify"));
        as("viewer").get("/catalog/altered/backups/" + m.backupId()).then().statusCode(409);
    }
}

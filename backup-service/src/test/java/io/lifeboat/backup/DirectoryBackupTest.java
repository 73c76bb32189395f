package io.lifeboat.backup;

import io.lifeboat.testsupport.Scratch;
import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdInputStream;
import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.StreamingAead;
import com.google.crypto.tink.TinkJsonProtoKeysetFormat;
import io.agroal.api.AgroalDataSource;
import io.lifeboat.bucket.S3Config;
import io.lifeboat.bucket.StoredObjectDigest;
import io.lifeboat.events.EventCodec;
import io.lifeboat.events.storage.BackupManifest;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.S3Client;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static io.lifeboat.backup.Backups.*;
import static io.lifeboat.backup.RealServers.as;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.*;

/** Directory backups streamed as tar + zstd (+ Tink) into the real S3Proxy. */
@QuarkusTest
class DirectoryBackupTest {

    @Inject
    S3Client s3;

    @Inject
    S3Config s3Config;

    @Inject
    AgroalDataSource dataSource;

    @Test
    void directoryBackupKeepsFilesModesAndSymlinksAndItsChecksumMatchesTheStoredObject() throws Exception {
        Path root = chromaLikeDirectory("dir-plain");
        putSource("dir-plain", "{\"kind\": \"directory\", \"path\": \"" + root + "\"}");

        String id = start("dir-plain");
        assertThat(id).matches("dir-plain-\\d{8}T\\d{6}Z-[0-9a-f]{4}");
        JsonPath b = finished(id);
        assertThat(b.getString("phase")).isEqualTo("Completed");
        assertThat(b.getString("objectKey")).matches("backups/dir-plain/\\d{4}/\\d{2}/\\d{2}/" + id + "/data");
        assertThat(b.getString("manifestKey")).isEqualTo(b.getString("objectKey").replace("/data", "/manifest.json"));

        byte[] stored = s3.getObjectAsBytes(r -> r.bucket(s3Config.bucket()).key(b.getString("objectKey"))).asByteArray();
        BackupManifest manifest = manifest(b.getString("manifestKey"));
        assertThat(manifest.formatVersion()).isEqualTo(3);
        assertThat(manifest.partBytes()).isEqualTo(16L * 1024 * 1024);
        StoredObjectDigest digest = new StoredObjectDigest(manifest.partBytes());
        digest.update(stored, 0, stored.length);
        String sha = digest.hex();
        assertThat(manifest.sha256()).isEqualTo(sha).isEqualTo(b.getString("sha256"));
        assertThat(manifest.storedBytes()).isEqualTo(stored.length).isEqualTo(b.getLong("storedBytes"));
        assertThat(manifest.compression()).isEqualTo("zstd");
        assertThat(manifest.encryption()).isNull();
        assertThat(manifest.recoveryPointAt()).isEqualTo(b.getString("recoveryPointAt"));

        Map<String, TarArchiveEntry> entries = new HashMap<>();
        Map<String, byte[]> contents = new HashMap<>();
        List<String> order = new ArrayList<>();
        try (TarArchiveInputStream tar = new TarArchiveInputStream(new ZstdInputStream(new ByteArrayInputStream(stored)))) {
            TarArchiveEntry e;
            while ((e = tar.getNextEntry()) != null) {
                entries.put(e.getName(), e);
                order.add(e.getName());
                if (e.isFile() && !e.isSymbolicLink()) contents.put(e.getName(), tar.readAllBytes());
            }
        }
        // the file that barely compresses went last, in a zstd frame of its own made with the cheap setting
        assertThat(order.get(order.size() - 1)).isEqualTo("seg-1/data_level0.bin");
        long firstFrame = Zstd.findFrameCompressedSize(stored);
        assertThat(firstFrame).isPositive().isLessThan(stored.length);
        assertThat(Zstd.findFrameCompressedSize(stored, (int) firstFrame)).isEqualTo(stored.length - firstFrame);
        assertThat(contents.get("chroma.sqlite3")).isEqualTo(Files.readAllBytes(root.resolve("chroma.sqlite3")));
        assertThat(contents.get("seg-1/data_level0.bin")).isEqualTo(Files.readAllBytes(root.resolve("seg-1/data_level0.bin")));
        assertThat(entries.get("seg-1/").isDirectory()).isTrue();
        assertThat(entries.get("seg-1/").getMode() & 0777).isEqualTo(0750);
        assertThat(entries.get("run.sh").getMode() & 0777).isEqualTo(0755);
        assertThat(entries.get("outside").isSymbolicLink()).isTrue();
        assertThat(entries.get("outside").getLinkName()).isEqualTo("/etc/hostname");
        assertThat(contents).doesNotContainKey("outside");
        assertThat(b.getLong("sizeBytes")).isGreaterThan(Files.size(root.resolve("chroma.sqlite3")));

        // the state change and its event were written together, and the event carries the manifest's fields
        try (Connection c = dataSource.getConnection();
             ResultSet rs = c.createStatement().executeQuery("SELECT payload FROM outbox_event WHERE type = "
                     + "'lifeboat.backup.completed.v1' AND payload LIKE '%" + id + "%'")) {
            assertThat(rs.next()).isTrue();
            var event = EventCodec.parse(rs.getString(1));
            assertThat(event.data().get("sha256").asText()).isEqualTo(sha);
            assertThat(event.data().get("recoveryPointAt").asText()).isEqualTo(b.getString("recoveryPointAt"));
        }
        // by id, not as items[0]: the source's default schedule (02:00) may add a newer backup while the test runs
        as("viewer").queryParam("source", "dir-plain").get("/backups").then().statusCode(200)
                .body("items.find { it.id == '" + id + "' }.phase", is("Completed"));
    }

    @Test
    void waitSecondsAnswersOnceTheBackupIsFinishedWithOneRequest() throws Exception {
        Path root = chromaLikeDirectory("dir-wait");
        putSource("dir-wait", "{\"kind\": \"directory\", \"path\": \"" + root + "\"}");
        String id = start("dir-wait");
        JsonPath b = as("viewer").queryParam("waitSeconds", 60).get("/backups/" + id).then().statusCode(200).extract().jsonPath();
        assertThat(b.getString("phase")).as(b.prettify()).isEqualTo("Completed");

        as("viewer").queryParam("waitSeconds", "soon").get("/backups/" + id).then().statusCode(400)
                .body("errors[0].field", is("waitSeconds"));
    }

    @Test
    void encryptedBackupIsUnreadableWithoutTheKeyAndDecryptsWithIt() throws Exception {
        Path root = chromaLikeDirectory("dir-enc");
        putSource("dir-enc", "{\"kind\": \"directory\", \"path\": \"" + root + "\", \"encryption\": true}");
        JsonPath b = finished(start("dir-enc"));
        assertThat(b.getString("phase")).isEqualTo("Completed");
        BackupManifest manifest = manifest(b.getString("manifestKey"));
        assertThat(manifest.encryption().algorithm()).isEqualTo("AES256_GCM_HKDF_1MB");
        assertThat(manifest.encryption().keyId()).startsWith("tink-");
        assertThat(b.getString("encryptionKeyId")).isEqualTo(manifest.encryption().keyId());

        byte[] stored = s3.getObjectAsBytes(r -> r.bucket(s3Config.bucket()).key(b.getString("objectKey"))).asByteArray();
        assertThat(new String(stored, StandardCharsets.ISO_8859_1)).doesNotContain("SQLite format 3");
        KeysetHandle keys = TinkJsonProtoKeysetFormat.parseKeyset(
                Files.readString(Path.of("target/test-keys/backup-keyset.json")), InsecureSecretKeyAccess.get());
        StreamingAead aead = keys.getPrimitive(StreamingAead.class);
        try (InputStream plain = new ZstdInputStream(aead.newDecryptingStream(new ByteArrayInputStream(stored),
                b.getString("id").getBytes(StandardCharsets.UTF_8)));
             TarArchiveInputStream tar = new TarArchiveInputStream(plain)) {
            boolean found = false;
            TarArchiveEntry e;
            while ((e = tar.getNextEntry()) != null) {
                if (e.getName().equals("chroma.sqlite3")) {
                    assertThat(tar.readAllBytes()).isEqualTo(Files.readAllBytes(root.resolve("chroma.sqlite3")));
                    found = true;
                }
            }
            assertThat(found).isTrue();
        }
    }

    @Test
    void verifyRecomputesTheChecksumAndCatchesDamage() throws Exception {
        Path root = chromaLikeDirectory("dir-verify");
        putSource("dir-verify", "{\"kind\": \"directory\", \"path\": \"" + root + "\"}");
        JsonPath b = finished(start("dir-verify"));
        String id = b.getString("id");
        as("operator").post("/backups/" + id + "/verify").then().statusCode(200)
                .body("ok", is(true)).body("bucketReachable", is(true));

        byte[] stored = s3.getObjectAsBytes(r -> r.bucket(s3Config.bucket()).key(b.getString("objectKey"))).asByteArray();
        stored[stored.length / 2] ^= 0x5A;
        s3.putObject(r -> r.bucket(s3Config.bucket()).key(b.getString("objectKey")),
                software.amazon.awssdk.core.sync.RequestBody.fromBytes(stored));
        as("operator").post("/backups/" + id + "/verify").then().statusCode(200)
                .body("ok", is(false)).body("detail", containsString("damaged"));
        as("viewer").get("/backups/" + id).then().body("verification.ok", is(false));
        as("viewer").post("/backups/" + id + "/verify").then().statusCode(403);
    }

    @Test
    void retentionExpiresOldBackupsAndKeepsTheNewest() throws Exception {
        Path root = chromaLikeDirectory("dir-retain");
        putSource("dir-retain", "{\"kind\": \"directory\", \"path\": \"" + root + "\", \"retention\": {\"keepLast\": 1}}");
        JsonPath first = finished(start("dir-retain"));
        JsonPath second = finished(start("dir-retain"));
        assertThat(second.getString("phase")).isEqualTo("Completed");
        JsonPath old = get(first.getString("id"));
        assertThat(old.getString("expiredAt")).isNotNull();
        assertThat(exists(first.getString("manifestKey"))).isFalse();
        assertThat(exists(first.getString("objectKey"))).isFalse();
        assertThat(exists(second.getString("manifestKey"))).isTrue();
    }

    private boolean exists(String key) {
        try {
            s3.headObject(r -> r.bucket(s3Config.bucket()).key(key));
            return true;
        } catch (software.amazon.awssdk.services.s3.model.NoSuchKeyException e) {
            return false;
        }
    }

    private BackupManifest manifest(String key) throws Exception {
        byte[] json = s3.getObjectAsBytes(r -> r.bucket(s3Config.bucket()).key(key)).asByteArray();
        return EventCodec.mapper().readValue(json, BackupManifest.class);
    }

    static Path chromaLikeDirectory(String name) throws Exception {
        Path root = Scratch.directory("lifeboat-" + name);
        Random random = new Random(7);
        byte[] sqlite = new byte[300_000];
        random.nextBytes(sqlite);
        System.arraycopy("SQLite format 3".getBytes(StandardCharsets.US_ASCII), 0, sqlite, 0, 15);
        Files.write(root.resolve("chroma.sqlite3"), sqlite);
        Path seg = Files.createDirectory(root.resolve("seg-1"));
        byte[] vectors = new byte[1_200_000]; // above DirectoryArchive.SAMPLED_FROM: sampled, found dense
        random.nextBytes(vectors);
        Files.write(seg.resolve("data_level0.bin"), vectors);
        Files.setPosixFilePermissions(seg, PosixFilePermissions.fromString("rwxr-x---"));
        Files.writeString(root.resolve("run.sh"), "#!/bin/sh\necho hi\n");
        Files.setPosixFilePermissions(root.resolve("run.sh"), PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.createSymbolicLink(root.resolve("outside"), Path.of("/etc/hostname"));
        return root;
    }
}

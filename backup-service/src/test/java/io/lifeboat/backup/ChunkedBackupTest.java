package io.lifeboat.backup;

import io.lifeboat.testsupport.Scratch;
import io.agroal.api.AgroalDataSource;
import io.lifeboat.backup.chunk.ChunkSweep;
import io.lifeboat.bucket.S3Config;
import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.StreamingAead;
import com.google.crypto.tink.TinkJsonProtoKeysetFormat;
import com.google.crypto.tink.streamingaead.StreamingAeadConfig;
import io.lifeboat.bucket.chunk.ChunkRef;
import io.lifeboat.bucket.chunk.ChunkSeal;
import io.lifeboat.events.EventCodec;
import io.lifeboat.events.storage.BackupManifest;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static io.lifeboat.backup.Backups.*;
import static io.lifeboat.backup.RealServers.as;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.*;

/**
 * Directory sources with {@code storage: chunks}: content-defined chunks stored once each in the real S3Proxy, a
 * second backup uploading only what changed, every backup still the whole directory, and retention sweeping only
 * chunks no kept backup references, never while a backup holds the store.
 */
@QuarkusTest
class ChunkedBackupTest {

    private static final int LOCK_SPACE = 0x4c424348; // ChunkIndex.LOCK_SPACE: what a running backup holds

    @Inject
    S3Client s3;

    @Inject
    S3Config s3Config;

    @Inject
    AgroalDataSource dataSource;

    @Inject
    ChunkSweep sweep;

    @Test
    void aSecondBackupUploadsOnlyTheChangedChunksAndBothHoldTheWholeDirectory() throws Exception {
        Path root = storeLikeDirectory("chunked-delta", 11);
        putSource("chunked-delta", chunked(root, "{\"keepLast\": 5}"));
        JsonPath first = verified(start("chunked-delta"));
        assertThat(first.getString("phase")).isEqualTo("Completed");
        assertThat(first.getString("format")).isEqualTo("chunked-tar");
        assertThat(first.getBoolean("verification.ok")).as(first.getString("verification.detail")).isTrue();
        assertThat(first.getString("objectKey")).endsWith("/" + first.getString("id") + "/chunks");
        BackupManifest m1 = manifest(first.getString("manifestKey"));
        assertThat(m1.formatVersion()).isEqualTo(BackupManifest.CHUNKED_FORMAT_VERSION);
        assertThat(m1.chunks().store()).isEqualTo("backups/chunked-delta/chunks/");
        assertThat(m1.chunks().uploadedChunks()).isEqualTo(m1.chunks().chunks()).isGreaterThan(10);
        assertThat(contentOf(m1)).isEqualTo(filesOf(root));

        // a few changes: 64 KiB rewritten inside one 2 MiB file, one small file added
        Path changed = root.resolve("seg-3/data_level0.bin");
        byte[] bytes = Files.readAllBytes(changed);
        byte[] patch = new byte[64 * 1024];
        new Random(99).nextBytes(patch);
        System.arraycopy(patch, 0, bytes, 900_000, patch.length);
        Files.write(changed, bytes);
        Files.writeString(root.resolve("seg-3/new-note.txt"), "added after the first backup\n");

        JsonPath second = verified(start("chunked-delta"));
        assertThat(second.getBoolean("verification.ok")).as(second.getString("verification.detail")).isTrue();
        BackupManifest m2 = manifest(second.getString("manifestKey"));
        assertThat(contentOf(m2)).isEqualTo(filesOf(root));
        assertThat(chunkList(m2)).hasSize((int) m2.chunks().chunks());
        // only the chunks around the two changes are new: a few of the ~20, a small part of the bytes
        assertThat(m2.chunks().uploadedChunks()).isBetween(1L, 5L);
        assertThat(second.getLong("uploadedBytes")).isLessThan(second.getLong("storedBytes") / 4);
        assertThat(second.getLong("storedBytes")).isGreaterThan(20L * 1024 * 1024 / 2);
        // the 7 large files that did not change were not even read: their chunks came from the first backup
        assertThat(m2.chunks().unchangedFiles()).isEqualTo(7);
        assertThat(m2.chunks().unchangedBytes()).isEqualTo(7L * 2 * 1024 * 1024);
        // the first backup is untouched and still complete
        assertThat(contentOf(m1)).isNotEqualTo(contentOf(m2));

        // a file rewritten in place with its size and mtime put back is still read: its ctime moved
        Path sneaky = root.resolve("seg-5/data_level0.bin");
        var mtime = Files.getLastModifiedTime(sneaky);
        byte[] other = new byte[2 * 1024 * 1024];
        new Random(77).nextBytes(other);
        Files.write(sneaky, other);
        Files.setLastModifiedTime(sneaky, mtime);
        JsonPath third = verified(start("chunked-delta"));
        BackupManifest m3 = manifest(third.getString("manifestKey"));
        assertThat(m3.chunks().unchangedFiles()).isEqualTo(7);
        assertThat(contentOf(m3)).isEqualTo(filesOf(root));
        as("operator").post("/backups/" + first.getString("id") + "/verify").then().statusCode(200).body("ok", is(true));
    }

    @Test
    void anEncryptedSourcesChunksAreNamedByKeyedHashesStoredEncryptedAndStillDeduplicated() throws Exception {
        Path root = storeLikeDirectory("chunked-enc", 13);
        String marker = "plaintext that must never reach the bucket\n";
        Files.writeString(root.resolve("seg-0/notes.txt"), marker.repeat(5_000));
        putSource("chunked-enc", "{\"kind\": \"directory\", \"path\": \"" + root + "\", \"storage\": \"chunks\", "
                + "\"encryption\": true, \"retention\": {\"keepLast\": 5}}");
        JsonPath first = verified(start("chunked-enc"));
        assertThat(first.getString("phase")).as(first.getString("error")).isEqualTo("Completed");
        assertThat(first.getBoolean("verification.ok")).as(first.getString("verification.detail")).isTrue();
        BackupManifest m1 = manifest(first.getString("manifestKey"));
        assertThat(m1.encryption()).isNotNull();
        assertThat(contentOf(m1)).isEqualTo(filesOf(root));

        // nothing stored is plain: not the list, not a chunk; no chunk is named by the plain hash of its bytes
        byte[] plainMarker = marker.getBytes(StandardCharsets.UTF_8);
        byte[] storedList = s3.getObjectAsBytes(r -> r.bucket(s3Config.bucket()).key(m1.objectKey())).asByteArray();
        assertThat(new String(storedList, StandardCharsets.ISO_8859_1)).doesNotContain(chunkList(m1).get(0).id());
        for (ChunkRef chunk : chunkList(m1)) {
            byte[] stored = s3.getObjectAsBytes(r -> r.bucket(s3Config.bucket()).key(chunk.key(m1.chunks().store()))).asByteArray();
            assertThat(indexOf(stored, plainMarker)).as(chunk.id()).isEqualTo(-1);
            assertThat(ChunkRef.sha256(chunk.decode(stored, seal(m1)))).isNotEqualTo(chunk.id());
        }

        // dedup still works under the key: a small change uploads a few chunks, unchanged files are not read
        Path changed = root.resolve("seg-3/data_level0.bin");
        byte[] bytes = Files.readAllBytes(changed);
        new Random(98).nextBytes(bytes);
        Files.write(changed, bytes);
        JsonPath second = verified(start("chunked-enc"));
        assertThat(second.getBoolean("verification.ok")).as(second.getString("verification.detail")).isTrue();
        BackupManifest m2 = manifest(second.getString("manifestKey"));
        assertThat(m2.chunks().uploadedChunks()).isBetween(1L, 5L);
        assertThat(m2.chunks().unchangedFiles()).isEqualTo(7);
        assertThat(contentOf(m2)).isEqualTo(filesOf(root));

        // a flipped bit in an encrypted chunk fails its verification
        Set<String> firstIds = chunkIds(m1);
        ChunkRef victim = chunkList(m2).stream().filter(c -> !firstIds.contains(c.id())).findFirst().orElseThrow();
        String key = victim.key(m2.chunks().store());
        byte[] stored = s3.getObjectAsBytes(r -> r.bucket(s3Config.bucket()).key(key)).asByteArray();
        stored[stored.length / 2] ^= 0x01;
        s3.putObject(p -> p.bucket(s3Config.bucket()).key(key), software.amazon.awssdk.core.sync.RequestBody.fromBytes(stored));
        as("operator").post("/backups/" + second.getString("id") + "/verify").then().statusCode(200)
                .body("ok", is(false)).body("detail", containsString(victim.id())).body("detail", containsString("damaged"));
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    @Test
    void retentionSweepsOnlyChunksNoKeptBackupReferencesAndNeverWhileABackupHoldsTheStore() throws Exception {
        Path root = storeLikeDirectory("chunked-sweep", 12);
        putSource("chunked-sweep", chunked(root, "{\"keepLast\": 1}"));
        JsonPath first = verified(start("chunked-sweep"));
        BackupManifest m1 = manifest(first.getString("manifestKey"));
        Set<String> firstChunks = chunkIds(m1);

        // half the files rewritten: the first backup's chunks of them are referenced by it alone
        Random random = new Random(5);
        for (int i = 0; i < 4; i++) {
            byte[] fresh = new byte[2 * 1024 * 1024];
            random.nextBytes(fresh);
            Files.write(root.resolve("seg-" + i + "/data_level0.bin"), fresh);
        }
        Set<String> onlyFirst;
        BackupManifest m2;
        // a backup of the source is running: it holds the chunk store (shared), so no sweep may delete anything
        try (Connection running = dataSource.getConnection();
             PreparedStatement hold = running.prepareStatement("SELECT pg_advisory_lock_shared(?, ?)")) {
            hold.setInt(1, LOCK_SPACE);
            hold.setInt(2, "chunked-sweep".hashCode());
            hold.execute();
            JsonPath second = verified(start("chunked-sweep"));
            assertThat(second.getBoolean("verification.ok")).isTrue();
            await().atMost(Duration.ofSeconds(30)).until(() -> get(first.getString("id")).getString("expiredAt") != null);
            m2 = manifest(second.getString("manifestKey"));
            onlyFirst = new LinkedHashSet<>(firstChunks);
            onlyFirst.removeAll(chunkIds(m2));
            assertThat(onlyFirst).hasSizeGreaterThanOrEqualTo(4);
            assertThat(sweep.sweep("chunked-sweep").ran()).isFalse();
            for (String id : onlyFirst) {
                assertThat(exists(m1, id)).as("chunk %s of the expired backup, while a backup runs", id).isTrue();
            }
            try (PreparedStatement release = running.prepareStatement("SELECT pg_advisory_unlock_shared(?, ?)")) {
                release.setInt(1, LOCK_SPACE);
                release.setInt(2, "chunked-sweep".hashCode());
                release.execute();
            }
        }

        ChunkSweep.Swept swept = sweep.sweep("chunked-sweep");
        assertThat(swept.ran()).isTrue();
        assertThat(swept.chunks()).isEqualTo(onlyFirst.size());
        for (String id : onlyFirst) {
            assertThat(exists(m1, id)).as("chunk %s referenced only by the expired backup", id).isFalse();
        }
        for (String id : chunkIds(m2)) {
            assertThat(exists(m2, id)).as("chunk %s of the kept backup", id).isTrue();
        }
        assertThat(contentOf(m2)).isEqualTo(filesOf(root));
    }

    @Test
    void aMissingChunkFailsVerificationAndTheNextBackupStoresItAgain() throws Exception {
        Path root = storeLikeDirectory("chunked-damage", 13);
        putSource("chunked-damage", chunked(root, null));
        JsonPath b = verified(start("chunked-damage"));
        BackupManifest m = manifest(b.getString("manifestKey"));
        String victim = chunkIds(m).iterator().next();
        s3.deleteObject(d -> d.bucket(s3Config.bucket()).key(ChunkRef.key(m.chunks().store(), victim)));
        as("operator").post("/backups/" + b.getString("id") + "/verify").then().statusCode(200)
                .body("ok", is(false)).body("detail", containsString(victim)).body("detail", containsString("missing"));
        // the chunk left the index: the next backup of the same data stores it again, and verifies
        JsonPath again = verified(start("chunked-damage"));
        assertThat(again.getBoolean("verification.ok")).as(again.getString("verification.detail")).isTrue();
        assertThat(manifest(again.getString("manifestKey")).chunks().uploadedChunks()).isEqualTo(1);
        assertThat(exists(m, victim)).isTrue();
    }

    @Test
    void aChunkWhoseBytesChangedFailsVerification() throws Exception {
        Path root = storeLikeDirectory("chunked-flipped", 14);
        putSource("chunked-flipped", chunked(root, null));
        JsonPath b = verified(start("chunked-flipped"));
        BackupManifest m = manifest(b.getString("manifestKey"));
        String victim = chunkIds(m).iterator().next();
        String key = ChunkRef.key(m.chunks().store(), victim);
        // same size, one bit different: only reading it back and hashing it tells
        byte[] stored = s3.getObjectAsBytes(r -> r.bucket(s3Config.bucket()).key(key)).asByteArray();
        stored[stored.length / 2] ^= 0x01;
        s3.putObject(p -> p.bucket(s3Config.bucket()).key(key), software.amazon.awssdk.core.sync.RequestBody.fromBytes(stored));
        as("operator").post("/backups/" + b.getString("id") + "/verify").then().statusCode(200)
                .body("ok", is(false)).body("detail", containsString(victim)).body("detail", containsString("damaged"));
    }

    @Test
    void chunkedStorageIsRefusedWhereItDoesNotApplyNamingTheField() throws Exception {
        Path dir = Scratch.directory("chunked-refused");
        as("operator").contentType(ContentType.JSON).body("{\"kind\": \"postgres\", \"host\": \"127.0.0.1\", \"port\": 5432, "
                        + "\"database\": \"x\", \"user\": \"x\", \"passwordRef\": \"env:PATH\", \"storage\": \"chunks\"}")
                .put("/sources/chunked-pg").then().statusCode(400).body("errors.field", hasItem("storage"));
        as("operator").contentType(ContentType.JSON).body("{\"kind\": \"directory\", \"path\": \"" + dir + "\", "
                        + "\"storage\": \"pieces\"}")
                .put("/sources/chunked-bogus").then().statusCode(400).body(containsString("storage"));
    }

    private static String chunked(Path root, String retention) {
        return "{\"kind\": \"directory\", \"path\": \"" + root + "\", \"storage\": \"chunks\""
                + (retention == null ? "" : ", \"retention\": " + retention) + "}";
    }

    /** ~20 MiB: 8 segments of 2 MiB random floats (stored raw) and text files that compress. */
    static Path storeLikeDirectory(String name, long seed) throws Exception {
        Path root = Scratch.directory("lifeboat-" + name);
        Random random = new Random(seed);
        for (int i = 0; i < 8; i++) {
            Path seg = Files.createDirectory(root.resolve("seg-" + i));
            byte[] vectors = new byte[2 * 1024 * 1024];
            random.nextBytes(vectors);
            Files.write(seg.resolve("data_level0.bin"), vectors);
            StringBuilder text = new StringBuilder();
            while (text.length() < 512 * 1024) {
                text.append("document ").append(random.nextInt(100_000)).append(" of segment ").append(i).append('\n');
            }
            Files.writeString(seg.resolve("metadata.txt"), text);
        }
        return root;
    }

    private BackupManifest manifest(String key) throws Exception {
        byte[] json = s3.getObjectAsBytes(r -> r.bucket(s3Config.bucket()).key(key)).asByteArray();
        return EventCodec.mapper().readValue(json, BackupManifest.class);
    }

    /** How the backup's chunks were sealed: plain, or with the key its manifest names (the tests' keyset). */
    private static ChunkSeal seal(BackupManifest m) throws Exception {
        return m.encryption() == null ? ChunkSeal.PLAIN : ChunkSeal.encrypted(testKeyset(), m.encryption().keyId());
    }

    private static KeysetHandle testKeyset() throws Exception {
        StreamingAeadConfig.register();
        return TinkJsonProtoKeysetFormat.parseKeyset(Files.readString(Path.of("target/test-keys/backup-keyset.json")),
                InsecureSecretKeyAccess.get());
    }

    private List<ChunkRef> chunkList(BackupManifest m) throws Exception {
        byte[] stored = s3.getObjectAsBytes(r -> r.bucket(s3Config.bucket()).key(m.objectKey())).asByteArray();
        if (m.encryption() != null) {
            try (var plain = testKeyset().getPrimitive(StreamingAead.class).newDecryptingStream(new ByteArrayInputStream(stored),
                    m.backupId().getBytes(StandardCharsets.UTF_8))) {
                stored = plain.readAllBytes();
            }
        }
        String list = new String(stored, StandardCharsets.US_ASCII);
        List<ChunkRef> chunks = new ArrayList<>();
        for (String line : list.split("\n")) {
            chunks.add(ChunkRef.parse(line));
        }
        return chunks;
    }

    private Set<String> chunkIds(BackupManifest m) throws Exception {
        Set<String> ids = new LinkedHashSet<>();
        chunkList(m).forEach(c -> ids.add(c.id()));
        return ids;
    }

    private boolean exists(BackupManifest m, String id) {
        try {
            s3.headObject(h -> h.bucket(s3Config.bucket()).key(ChunkRef.key(m.chunks().store(), id)));
            return true;
        } catch (NoSuchKeyException e) {
            return false;
        }
    }

    /** The backup's regular files, read back from its chunks alone (each checked against its id). */
    private Map<String, String> contentOf(BackupManifest m) throws Exception {
        ByteArrayOutputStream tar = new ByteArrayOutputStream();
        for (ChunkRef chunk : chunkList(m)) {
            byte[] stored = s3.getObjectAsBytes(r -> r.bucket(s3Config.bucket()).key(chunk.key(m.chunks().store()))).asByteArray();
            tar.write(chunk.decode(stored, seal(m)));
        }
        Map<String, String> files = new HashMap<>();
        try (TarArchiveInputStream in = new TarArchiveInputStream(new ByteArrayInputStream(tar.toByteArray()))) {
            TarArchiveEntry e;
            while ((e = in.getNextEntry()) != null) {
                if (e.isFile()) {
                    files.put(e.getName(), ChunkRef.sha256(in.readAllBytes()));
                }
            }
        }
        return files;
    }

    private static Map<String, String> filesOf(Path root) throws Exception {
        Map<String, String> files = new HashMap<>();
        try (var walk = Files.walk(root)) {
            for (Path p : walk.filter(Files::isRegularFile).toList()) {
                files.put(root.relativize(p).toString(), ChunkRef.sha256(Files.readAllBytes(p)));
            }
        }
        return files;
    }
}

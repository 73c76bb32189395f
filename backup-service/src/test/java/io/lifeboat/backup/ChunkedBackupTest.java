package io.lifeboat.backup;

import io.lifeboat.testsupport.Scratch;
import io.lifeboat.testsupport.TestServers;
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
 * Directory sources with {@code storage: chunks}: content-defined chunks stored once each, in packs, in the real
 * S3Proxy, a second backup uploading only what changed, every backup still the whole directory, and retention
 * deleting only packs no kept backup points into, never while a backup holds the store.
 */
@QuarkusTest
class ChunkedBackupTest {

    private static final int LOCK_SPACE = 0x4c424348; // ChunkStoreLock.LOCK_SPACE: what a running backup holds

    @Inject
    S3Client s3;

    @Inject
    S3Config s3Config;

    @Inject
    AgroalDataSource dataSource;

    @Inject
    ChunkSweep sweep;

    @Test
    void aFileWhoseTimesAreNotSafelyInThePastIsReadAgainByTheNextBackup() throws Exception {
        // file times move in clock ticks: a file written again within the tick its read began in keeps its identity,
        // and a backup that trusted it would skip that second write for good. A file whose last change is not safely
        // before its read is therefore read again next time; a modification time set in the future never is
        Path root = storeLikeDirectory("chunked-fresh", 12);
        Path future = root.resolve("seg-2/data_level0.bin");
        Files.setLastModifiedTime(future, java.nio.file.attribute.FileTime.from(java.time.Instant.now().plusSeconds(3600)));
        putSource("chunked-fresh", chunked(root, "{\"keepLast\": 5}"));
        verified(start("chunked-fresh"));
        BackupManifest second = manifest(verified(start("chunked-fresh")).getString("manifestKey"));
        assertThat(second.chunks().unchangedFiles()).as("the 7 other large files; seg-2 is read again").isEqualTo(7);
        assertThat(second.chunks().uploadedChunks()).as("its content is the same: no chunk is new").isZero();
        assertThat(contentOf(second)).isEqualTo(filesOf(root));

        // its time put back in the past (its ctime moves to now): read once more, then trusted
        Files.setLastModifiedTime(future, java.nio.file.attribute.FileTime.from(java.time.Instant.now().minusSeconds(3600)));
        settle();
        BackupManifest third = manifest(verified(start("chunked-fresh")).getString("manifestKey"));
        assertThat(third.chunks().unchangedFiles()).isEqualTo(7);
        BackupManifest fourth = manifest(verified(start("chunked-fresh")).getString("manifestKey"));
        assertThat(fourth.chunks().unchangedFiles()).isEqualTo(8);
    }

    @Test
    void aSqliteDatabaseAtRestIsFoundUnchangedByTheBackupAfterItsFirst() throws Exception {
        Path root = Scratch.directory("lifeboat-chunked-sqlite-at-rest");
        Path database = root.resolve("chroma.sqlite3");
        // written in WAL mode and closed, as a copied store or a stopped application leaves it: no WAL beside it
        try (Connection app = java.sql.DriverManager.getConnection("jdbc:sqlite:" + database);
             var s = app.createStatement()) {
            s.execute("PRAGMA journal_mode=WAL");
            s.execute("CREATE TABLE embeddings (id INTEGER PRIMARY KEY, vector BLOB)");
            s.execute("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200) "
                    + "INSERT INTO embeddings (vector) SELECT randomblob(8192) FROM n");
        }
        assertThat(Files.exists(root.resolve("chroma.sqlite3-wal"))).isFalse();
        settle();
        putSource("chunked-sqlite-at-rest", chunked(root, "{\"keepLast\": 5}"));
        BackupManifest first = manifest(verified(start("chunked-sqlite-at-rest")).getString("manifestKey"));
        // the first backup's snapshot opened the database, which left an empty WAL: that is not a change
        BackupManifest second = manifest(verified(start("chunked-sqlite-at-rest")).getString("manifestKey"));
        assertThat(second.chunks().unchangedFiles()).as("the database, not copied again").isEqualTo(1);
        assertThat(contentOf(second)).isEqualTo(contentOf(first));
        assertThat(rowsInStoredDatabase(second, "chroma.sqlite3", "embeddings")).isEqualTo(200);
    }

    @Test
    void aSqliteDatabaseUnchangedSinceTheLastBackupIsNotCopiedAgain() throws Exception {
        Path root = Scratch.directory("lifeboat-chunked-sqlite");
        Path database = root.resolve("chroma.sqlite3");
        // the application keeps its connection open, as ChromaDB does: the WAL stays beside the database
        try (Connection app = java.sql.DriverManager.getConnection("jdbc:sqlite:" + database);
             var s = app.createStatement()) {
            s.execute("PRAGMA journal_mode=WAL");
            s.execute("CREATE TABLE embeddings (id INTEGER PRIMARY KEY, vector BLOB)");
            Random random = new Random(5);
            try (var insert = app.prepareStatement("INSERT INTO embeddings (vector) VALUES (?)")) {
                for (int i = 0; i < 300; i++) {
                    byte[] vector = new byte[8 * 1024];
                    random.nextBytes(vector);
                    insert.setBytes(1, vector);
                    insert.executeUpdate();
                }
            }
            assertThat(Files.exists(root.resolve("chroma.sqlite3-wal"))).isTrue();
            settle();
            putSource("chunked-sqlite", chunked(root, "{\"keepLast\": 5}"));
            BackupManifest first = manifest(verified(start("chunked-sqlite")).getString("manifestKey"));
            assertThat(first.chunks().unchangedFiles()).isZero();
            BackupManifest second = manifest(verified(start("chunked-sqlite")).getString("manifestKey"));
            assertThat(second.chunks().unchangedFiles()).as("the database: its files did not move").isEqualTo(1);
            assertThat(second.chunks().uploadedChunks()).isZero();
            assertThat(contentOf(second)).isEqualTo(contentOf(first));

            // one commit (appended to the WAL): the next backup copies the database again, with the new row
            s.execute("INSERT INTO embeddings (vector) VALUES (x'00')");
            settle();
            BackupManifest third = manifest(verified(start("chunked-sqlite")).getString("manifestKey"));
            assertThat(third.chunks().unchangedFiles()).isZero();
            assertThat(rowsInStoredDatabase(third, "chroma.sqlite3", "embeddings")).isEqualTo(301);
            BackupManifest fourth = manifest(verified(start("chunked-sqlite")).getString("manifestKey"));
            assertThat(fourth.chunks().unchangedFiles()).isEqualTo(1);
            assertThat(rowsInStoredDatabase(fourth, "chroma.sqlite3", "embeddings")).isEqualTo(301);
        }
    }

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
        // the chunks are in packs of ~2 MiB (the tests' pack size), one after another: a few objects, not one per chunk
        Set<String> packs = packsOf(m1);
        assertThat(packs).hasSizeBetween(5, (int) m1.chunks().chunks() - 1);
        assertThat(chunkList(m1)).allSatisfy(c -> assertThat(c.pack()).isNotNull());

        // a few changes: 64 KiB rewritten inside one 2 MiB file, one small file added
        Path changed = root.resolve("seg-3/data_level0.bin");
        byte[] bytes = Files.readAllBytes(changed);
        byte[] patch = new byte[64 * 1024];
        new Random(99).nextBytes(patch);
        System.arraycopy(patch, 0, bytes, 900_000, patch.length);
        Files.write(changed, bytes);
        Files.writeString(root.resolve("seg-3/new-note.txt"), "added after the first backup\n");
        settle();

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
        for (String pack : packsOf(m1)) {
            byte[] stored = s3.getObjectAsBytes(r -> r.bucket(s3Config.bucket()).key(ChunkRef.packKey(m1.chunks().store(), pack))).asByteArray();
            assertThat(indexOf(stored, plainMarker)).as(pack).isEqualTo(-1);
        }
        for (ChunkRef chunk : chunkList(m1)) {
            assertThat(ChunkRef.sha256(chunk.decode(stored(m1, chunk), seal(m1)))).isNotEqualTo(chunk.id());
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
        flipABit(m2, victim);
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
    void retentionDeletesOnlyPacksNoKeptBackupPointsIntoAndNeverWhileABackupHoldsTheStore() throws Exception {
        Path root = storeLikeDirectory("chunked-sweep", 12);
        putSource("chunked-sweep", chunked(root, "{\"keepLast\": 1}"));
        JsonPath first = verified(start("chunked-sweep"));
        BackupManifest m1 = manifest(first.getString("manifestKey"));
        Set<String> firstPacks = packsOf(m1); // read now: retention deletes the expired backup's list

        // all but one segment rewritten: most of the first backup's packs are pointed into by it alone; the ones that
        // hold a chunk of seg-7 (unchanged) are kept whole. Where chunks land in packs depends on which of the
        // backup's workers finishes first, so the packs to delete are computed from the two lists.
        rewriteAllSegmentsButTheLast(root, 5);
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
            onlyFirst = new LinkedHashSet<>(firstPacks);
            onlyFirst.removeAll(packsOf(m2));
            assertThat(onlyFirst).isNotEmpty(); // ~8 packs, the ~4 chunks of seg-7 in at most 4 of them
            assertThat(sweep.sweep("chunked-sweep").ran()).isFalse();
            for (String pack : onlyFirst) {
                assertThat(packExists(m1, pack)).as("pack %s of the expired backup, while a backup runs", pack).isTrue();
            }
            try (PreparedStatement release = running.prepareStatement("SELECT pg_advisory_unlock_shared(?, ?)")) {
                release.setInt(1, LOCK_SPACE);
                release.setInt(2, "chunked-sweep".hashCode());
                release.execute();
            }
        }

        ChunkSweep.Swept swept = sweep.sweep("chunked-sweep");
        assertThat(swept.ran()).isTrue();
        assertThat(swept.packs()).isEqualTo(onlyFirst.size());
        for (String pack : onlyFirst) {
            assertThat(packExists(m1, pack)).as("pack %s pointed into only by the expired backup", pack).isFalse();
        }
        for (String pack : packsOf(m2)) {
            assertThat(packExists(m2, pack)).as("pack %s of the kept backup", pack).isTrue();
        }
        assertThat(contentOf(m2)).isEqualTo(filesOf(root));
        // the next backup does not count on a chunk of a deleted pack: it is whole, and verifies
        Files.writeString(root.resolve("seg-6/another-note.txt"), "after the sweep\n");
        JsonPath third = verified(start("chunked-sweep"));
        assertThat(third.getBoolean("verification.ok")).as(third.getString("verification.detail")).isTrue();
        BackupManifest m3 = manifest(third.getString("manifestKey"));
        assertThat(packsOf(m3)).doesNotContainAnyElementsOf(onlyFirst);
        assertThat(contentOf(m3)).isEqualTo(filesOf(root));
    }

    @Test
    void chunksInAPackTheLastBackupUsedLessThanHalfOfAreStoredAgainOnceItsOwnBackupExpiredSoThePackIsSwept() throws Exception {
        // a 1 MiB file that stays as it is, then a 6 MiB one rewritten after the first backup: the first pack (2 MiB
        // in tests) holds the kept file and the start of the other, so the backups after the first use half of it or less
        Path root = Scratch.directory("lifeboat-chunked-sparse");
        Random random = new Random(23);
        Files.write(root.resolve("a-kept.bin"), randomBytes(random, 1024 * 1024));
        Files.write(root.resolve("b-rewritten.bin"), randomBytes(random, 6 * 1024 * 1024));
        settle();
        putSource("chunked-sparse", chunked(root, "{\"keepLast\": 2}"));
        BackupManifest m1 = manifest(verified(start("chunked-sparse")).getString("manifestKey"));
        Set<String> firstPacks = packsOf(m1); // read now: retention deletes the expired backup's list
        Files.write(root.resolve("b-rewritten.bin"), randomBytes(random, 6 * 1024 * 1024));
        settle();
        BackupManifest m2 = manifest(verified(start("chunked-sparse")).getString("manifestKey"));
        Map<String, Long> used = new HashMap<>();
        chunkList(m2).forEach(c -> used.merge(c.pack(), (long) c.storedSize(), Long::sum));
        Set<String> sparse = new LinkedHashSet<>();
        for (String pack : firstPacks) {
            if (used.containsKey(pack) && used.get(pack) * 2 < packSize(m1, pack)) {
                sparse.add(pack);
            }
        }
        assertThat(sparse).as("the first backup's first pack, of which the second uses a-kept.bin's chunks only").hasSize(1);

        // nothing changed, and the backup that stored the sparse pack is still kept (every chunk in it is in use):
        // the third backup points into it, copying would only store those chunks twice
        JsonPath third = verified(start("chunked-sparse"));
        BackupManifest m3 = manifest(third.getString("manifestKey"));
        assertThat(m3.chunks().uploadedChunks()).isZero();
        assertThat(packsOf(m3)).containsAll(sparse);
        long copied = chunkList(m3).stream().filter(c -> sparse.contains(c.pack())).mapToLong(ChunkRef::storedSize).sum();
        // retention after the third backup expired the first, which stored the sparse pack

        // so the fourth stores a-kept.bin's chunks again, in its own packs, rather than point into the sparse one
        JsonPath fourth = verified(start("chunked-sparse"));
        assertThat(fourth.getBoolean("verification.ok")).as(fourth.getString("verification.detail")).isTrue();
        BackupManifest m4 = manifest(fourth.getString("manifestKey"));
        assertThat(packsOf(m4)).doesNotContainAnyElementsOf(sparse);
        assertThat(m4.chunks().uploadedBytes()).as("what the third backup used of the sparse pack, copied forward")
                .isEqualTo(copied);
        assertThat(contentOf(m4)).isEqualTo(filesOf(root));
        // the third backup is kept and points into it: the sweep leaves it
        await().atMost(Duration.ofSeconds(30)).until(() -> sweep.sweep("chunked-sparse").ran());
        for (String pack : sparse) {
            assertThat(packExists(m1, pack)).as("sparse pack %s, still pointed into by a kept backup", pack).isTrue();
        }

        // the copies are where the index finds those chunks now: the fifth backup uploads nothing, and retention
        // after it expires the third, the last kept backup that pointed into the sparse pack, which then goes
        JsonPath fifth = verified(start("chunked-sparse"));
        BackupManifest m5 = manifest(fifth.getString("manifestKey"));
        assertThat(m5.chunks().uploadedChunks()).isZero();
        await().atMost(Duration.ofSeconds(30)).until(() -> get(third.getString("id")).getString("expiredAt") != null);
        await().atMost(Duration.ofSeconds(30)).until(() -> sweep.sweep("chunked-sparse").ran());
        for (String pack : sparse) {
            assertThat(packExists(m1, pack)).as("sparse pack %s, once its backups expired", pack).isFalse();
        }
        assertThat(contentOf(m5)).isEqualTo(filesOf(root));
    }

    @Test
    void aLostChunkIndexIsRebuiltFromTheBucketAndRetentionNeverSweepsThePacksOfTheBackupsItNoLongerKnows() throws Exception {
        Path root = storeLikeDirectory("chunked-lost-index", 31);
        putSource("chunked-lost-index", chunked(root, "{\"keepLast\": 1}"));
        BackupManifest m1 = manifest(verified(start("chunked-lost-index")).getString("manifestKey"));
        Map<String, String> firstContent = contentOf(m1);
        Set<String> firstPacks = packsOf(m1);

        // backup-service loses its database; the source is declared again on the new one. The bucket keeps
        // the first backup, which the restore catalogue still lists
        JsonPath second = backUpOnANewDatabase("chunked-lost-index", chunked(root, "{\"keepLast\": 1}"));
        BackupManifest m2 = manifest(second.getString("manifestKey"));
        assertThat(m2.chunks().uploadedChunks()).as("nothing changed: the index, rebuilt from the first backup, has every chunk").isZero();
        assertThat(packsOf(m2)).isEqualTo(firstPacks);
        assertThat(contentOf(m2)).isEqualTo(filesOf(root));

        // all but one segment rewritten, then the second backup expires (keep last 1): the third points into few of
        // the first backup's packs, and the sweep must still delete none of them, since that backup is still in the
        // bucket and this database cannot expire it
        rewriteAllSegmentsButTheLast(root, 32);
        settle();
        JsonPath third = verified(start("chunked-lost-index"));
        assertThat(third.getBoolean("verification.ok")).as(third.getString("verification.detail")).isTrue();
        await().atMost(Duration.ofSeconds(30)).until(() -> get(second.getString("id")).getString("expiredAt") != null);
        Set<String> onlyFirst = new LinkedHashSet<>(firstPacks);
        onlyFirst.removeAll(packsOf(manifest(third.getString("manifestKey"))));
        assertThat(onlyFirst).isNotEmpty();
        // retention's own sweep may be running: a sweep that finds the store held runs nothing and is tried again
        await().atMost(Duration.ofSeconds(30)).until(() -> sweep.sweep("chunked-lost-index").ran());
        for (String pack : firstPacks) {
            assertThat(packExists(m1, pack)).as("pack %s of the backup the lost database knew", pack).isTrue();
        }
        assertThat(contentOf(m1)).isEqualTo(firstContent);
    }

    @Test
    void anEncryptedSourcesLostIndexIsRebuiltFromItsEncryptedChunkList() throws Exception {
        Path root = storeLikeDirectory("chunked-lost-enc", 34);
        String json = "{\"kind\": \"directory\", \"path\": \"" + root + "\", \"storage\": \"chunks\", "
                + "\"encryption\": true, \"retention\": {\"keepLast\": 5}}";
        putSource("chunked-lost-enc", json);
        BackupManifest m1 = manifest(verified(start("chunked-lost-enc")).getString("manifestKey"));
        assertThat(m1.encryption()).isNotNull();

        BackupManifest m2 = manifest(backUpOnANewDatabase("chunked-lost-enc", json).getString("manifestKey"));
        assertThat(m2.chunks().uploadedChunks()).isZero();
        assertThat(packsOf(m2)).isEqualTo(packsOf(m1));
        assertThat(contentOf(m2)).isEqualTo(filesOf(root));
    }

    @Test
    void anIndexIsNotRebuiltFromAChunkListThatDoesNotMatchItsManifest() throws Exception {
        Path root = storeLikeDirectory("chunked-lost-damaged", 33);
        putSource("chunked-lost-damaged", chunked(root, "{\"keepLast\": 5}"));
        BackupManifest m1 = manifest(verified(start("chunked-lost-damaged")).getString("manifestKey"));
        // its list loses its last line (the manifest, authenticated, still names them all)
        String list = s3.getObjectAsBytes(r -> r.bucket(s3Config.bucket()).key(m1.objectKey())).asUtf8String();
        String cut = list.substring(0, list.lastIndexOf('\n', list.length() - 2) + 1);
        s3.putObject(p -> p.bucket(s3Config.bucket()).key(m1.objectKey()), software.amazon.awssdk.core.sync.RequestBody.fromString(cut));

        BackupManifest m2 = manifest(backUpOnANewDatabase("chunked-lost-damaged", chunked(root, "{\"keepLast\": 5}"))
                .getString("manifestKey"));
        assertThat(m2.chunks().uploadedChunks()).as("nothing taken from the damaged list: every chunk stored again")
                .isEqualTo(m2.chunks().chunks());
        assertThat(packsOf(m2)).doesNotContainAnyElementsOf(packsOf(m1));
        assertThat(contentOf(m2)).isEqualTo(filesOf(root));
    }

    @Test
    void aChunkStoreKeepsCuttingAsItWasCreatedEvenAfterItsIndexIsLostAndNewStoresCutSmaller() throws Exception {
        // the same files in two sources: one whose store was created before cut version 2 (the migration records
        // those as version 1), one new
        Path oldRoot = storeLikeDirectory("chunked-cut-v1", 36);
        Path newRoot = storeLikeDirectory("chunked-cut-v2", 36);
        try (Connection c = dataSource.getConnection();
             PreparedStatement q = c.prepareStatement("INSERT INTO chunk_store (source, chunker) VALUES ('chunked-cut-v1', 1)")) {
            q.executeUpdate();
        }
        putSource("chunked-cut-v1", chunked(oldRoot, "{\"keepLast\": 5}"));
        putSource("chunked-cut-v2", chunked(newRoot, "{\"keepLast\": 5}"));
        BackupManifest old = manifest(verified(start("chunked-cut-v1")).getString("manifestKey"));
        BackupManifest fresh = manifest(verified(start("chunked-cut-v2")).getString("manifestKey"));
        assertThat(old.chunks().chunker()).isEqualTo(1);
        assertThat(fresh.chunks().chunker()).isEqualTo(2);
        assertThat(fresh.chunks().chunks()).as("version 2 cuts at half version 1's sizes")
                .isGreaterThan(old.chunks().chunks());
        assertThat(contentOf(old)).isEqualTo(filesOf(oldRoot));
        assertThat(contentOf(fresh)).isEqualTo(filesOf(newRoot));

        // the database is lost: the store's version comes back from its newest manifest, and nothing is uploaded again
        BackupManifest rebuilt = manifest(backUpOnANewDatabase("chunked-cut-v1", chunked(oldRoot, "{\"keepLast\": 5}"))
                .getString("manifestKey"));
        assertThat(rebuilt.chunks().chunker()).isEqualTo(1);
        assertThat(rebuilt.chunks().uploadedChunks()).as("cut as the stored chunks were: all found").isZero();
        assertThat(packsOf(rebuilt)).isEqualTo(packsOf(old));
        assertThat(contentOf(rebuilt)).isEqualTo(filesOf(oldRoot));
    }

    @Test
    void chunksThatFollowEachOtherInTheListFollowEachOtherInTheirPackSoARestoreFetchesAPackWithOneRequest() throws Exception {
        Path root = storeLikeDirectory("chunked-pack-order", 41);
        putSource("chunked-pack-order", chunked(root, "{\"keepLast\": 5}"));
        BackupManifest m = manifest(verified(start("chunked-pack-order")).getString("manifestKey"));
        List<ChunkRef> list = chunkList(m);
        int packs = packsOf(m).size();
        assertThat(list.size()).as("several chunks a pack, hashed and compressed four at once").isGreaterThan(3 * packs);
        // a run: chunks next to each other in one pack, which a restore fetches with one ranged GET
        int runs = 0;
        ChunkRef previous = null;
        for (ChunkRef chunk : list) {
            if (previous == null || !chunk.pack().equals(previous.pack()) || chunk.offset() != previous.offset() + previous.storedSize()) {
                runs++;
            }
            previous = chunk;
        }
        assertThat(runs).as("a first backup's list, every chunk new: one run a pack").isEqualTo(packs);
        assertThat(contentOf(m)).isEqualTo(filesOf(root));
    }

    /** Segments 0 to 6 of a {@link #storeLikeDirectory} written anew; seg-7 left as it is. */
    private static void rewriteAllSegmentsButTheLast(Path root, long seed) throws Exception {
        Random random = new Random(seed);
        for (int i = 0; i < 7; i++) {
            byte[] fresh = new byte[2 * 1024 * 1024];
            random.nextBytes(fresh);
            Files.write(root.resolve("seg-" + i + "/data_level0.bin"), fresh);
            Files.writeString(root.resolve("seg-" + i + "/metadata.txt"), "rewritten " + i + "\n");
        }
    }

    /**
     * backup-service loses its database and the source is declared again on the new one (the bucket keeps its
     * backups); then a backup, which must verify. Its record, once verified.
     */
    private JsonPath backUpOnANewDatabase(String source, String json) throws Exception {
        forgetInTheDatabase(source);
        putSource(source, json);
        JsonPath backup = verified(start(source));
        assertThat(backup.getBoolean("verification.ok")).as(backup.getString("verification.detail")).isTrue();
        return backup;
    }

    /** What a new, empty database knows of a source: nothing (its bucket keeps everything). */
    private void forgetInTheDatabase(String source) throws Exception {
        try (Connection c = dataSource.getConnection()) {
            for (String delete : List.of("DELETE FROM backup_file WHERE backup_id IN (SELECT id FROM backup WHERE source = ?)",
                    "DELETE FROM backup_chunk WHERE source = ?", "DELETE FROM backup_pack WHERE source = ?",
                    "DELETE FROM chunk WHERE source = ?", "DELETE FROM pack WHERE source = ?",
                    "DELETE FROM chunk_store WHERE source = ?", "DELETE FROM backup WHERE source = ?",
                    "DELETE FROM source WHERE name = ?")) {
                try (PreparedStatement q = c.prepareStatement(delete)) {
                    q.setString(1, source);
                    q.executeUpdate();
                }
            }
        }
    }

    @Test
    void thePacksOfABackupThatFailedMidUploadAreSweptAndTheNextBackupIsWhole() throws Exception {
        Path root = storeLikeDirectory("chunked-cut-off", 21);
        // ~190 MiB that does not compress: the backup is still storing packs when the bucket goes away
        Random random = new Random(22);
        for (int i = 0; i < 12; i++) {
            byte[] vectors = new byte[16 * 1024 * 1024];
            random.nextBytes(vectors);
            Files.write(root.resolve("segment-" + i + ".bin"), vectors);
        }
        putSource("chunked-cut-off", chunked(root, "{\"keepLast\": 1}"));
        String packs = s3Config.prefix() + "/chunked-cut-off/chunks/packs/";
        String id = start("chunked-cut-off");
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20)).until(() -> !keysUnder(packs).isEmpty());
        TestServers.get().s3().stop();
        try {
            await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(200))
                    .until(() -> List.of("Completed", "Failed").contains(get(id).getString("phase")));
        } finally {
            TestServers.get().s3().start(Duration.ofSeconds(60));
        }
        assertThat(get(id).getString("phase")).as("the bucket went away mid-upload").isEqualTo("Failed");
        assertThat(keysUnder(packs)).as("packs the failed backup stored").isNotEmpty();
        assertThat(rows("SELECT count(*) FROM pack WHERE source = 'chunked-cut-off'"))
                .as("every pack it began is recorded, stored or not").isGreaterThanOrEqualTo(keysUnder(packs).size());

        // no kept backup points into them: the sweep deletes every one, and forgets their chunks
        ChunkSweep.Swept swept = sweep.sweep("chunked-cut-off");
        assertThat(swept.ran()).isTrue();
        assertThat(keysUnder(packs)).isEmpty();
        assertThat(rows("SELECT count(*) FROM pack WHERE source = 'chunked-cut-off'")).isZero();
        assertThat(rows("SELECT count(*) FROM chunk WHERE source = 'chunked-cut-off'")).isZero();
        // so the next backup counts on none of them: it stores every chunk, is whole, and verifies
        JsonPath next = verified(start("chunked-cut-off"));
        assertThat(next.getString("phase")).isEqualTo("Completed");
        assertThat(next.getBoolean("verification.ok")).as(next.getString("verification.detail")).isTrue();
        assertThat(contentOf(manifest(next.getString("manifestKey")))).isEqualTo(filesOf(root));
    }

    private List<String> keysUnder(String prefix) {
        List<String> keys = new ArrayList<>();
        s3.listObjectsV2Paginator(l -> l.bucket(s3Config.bucket()).prefix(prefix)).contents().forEach(o -> keys.add(o.key()));
        return keys;
    }

    private long rows(String countQuery) throws Exception {
        try (Connection c = dataSource.getConnection(); PreparedStatement q = c.prepareStatement(countQuery);
             var r = q.executeQuery()) {
            r.next();
            return r.getLong(1);
        }
    }

    @Test
    void aMissingPackFailsVerificationAndTheNextBackupStoresItsChunksAgain() throws Exception {
        Path root = storeLikeDirectory("chunked-damage", 13);
        putSource("chunked-damage", chunked(root, null));
        JsonPath b = verified(start("chunked-damage"));
        BackupManifest m = manifest(b.getString("manifestKey"));
        ChunkRef victim = chunkList(m).get(chunkList(m).size() / 2);
        Set<String> inThatPack = new LinkedHashSet<>();
        chunkList(m).stream().filter(c -> c.pack().equals(victim.pack())).forEach(c -> inThatPack.add(c.id()));
        s3.deleteObject(d -> d.bucket(s3Config.bucket()).key(victim.key(m.chunks().store())));
        as("operator").post("/backups/" + b.getString("id") + "/verify").then().statusCode(200)
                .body("ok", is(false)).body("detail", containsString(victim.pack())).body("detail", containsString("missing"));
        // the pack's chunks left the index: the next backup of the same data stores them again, and verifies
        JsonPath again = verified(start("chunked-damage"));
        assertThat(again.getBoolean("verification.ok")).as(again.getString("verification.detail")).isTrue();
        BackupManifest m2 = manifest(again.getString("manifestKey"));
        assertThat(m2.chunks().uploadedChunks()).isBetween(1L, inThatPack.size() + 2L);
        assertThat(chunkList(m2).stream().filter(c -> inThatPack.contains(c.id())))
                .isNotEmpty().allSatisfy(c -> assertThat(c.pack()).isNotEqualTo(victim.pack()));
        assertThat(contentOf(m2)).isEqualTo(filesOf(root));
    }

    @Test
    void aChunkWhoseBytesChangedFailsVerification() throws Exception {
        Path root = storeLikeDirectory("chunked-flipped", 14);
        putSource("chunked-flipped", chunked(root, null));
        JsonPath b = verified(start("chunked-flipped"));
        BackupManifest m = manifest(b.getString("manifestKey"));
        ChunkRef victim = chunkList(m).get(1);
        // same size, one bit different: only reading it back and hashing it tells
        flipABit(m, victim);
        as("operator").post("/backups/" + b.getString("id") + "/verify").then().statusCode(200)
                .body("ok", is(false)).body("detail", containsString(victim.id())).body("detail", containsString("damaged"));
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
        settle();
        return root;
    }

    /**
     * Waits until what was just written is safely in the past (50 ms on this filesystem's nanosecond times): only
     * then does a backup trust a file's identity to skip it next time
     * ({@link io.lifeboat.backup.storage.FileIdentity#settled}). A longer wait changes nothing.
     */
    static void settle() throws InterruptedException {
        Thread.sleep(200);
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

    private boolean packExists(BackupManifest m, String pack) {
        try {
            s3.headObject(h -> h.bucket(s3Config.bucket()).key(ChunkRef.packKey(m.chunks().store(), pack)));
            return true;
        } catch (NoSuchKeyException e) {
            return false;
        }
    }

    private static byte[] randomBytes(Random random, int n) {
        byte[] bytes = new byte[n];
        random.nextBytes(bytes);
        return bytes;
    }

    private long packSize(BackupManifest m, String pack) {
        return s3.headObject(h -> h.bucket(s3Config.bucket()).key(ChunkRef.packKey(m.chunks().store(), pack))).contentLength();
    }

    private Set<String> packsOf(BackupManifest m) throws Exception {
        Set<String> packs = new LinkedHashSet<>();
        chunkList(m).forEach(c -> packs.add(c.pack()));
        return packs;
    }

    /** A chunk's stored bytes, from its pack. */
    private byte[] stored(BackupManifest m, ChunkRef chunk) {
        byte[] pack = s3.getObjectAsBytes(r -> r.bucket(s3Config.bucket()).key(chunk.key(m.chunks().store()))).asByteArray();
        return java.util.Arrays.copyOfRange(pack, (int) chunk.offset(), (int) chunk.offset() + chunk.storedSize());
    }

    /** Flips one bit in the middle of a chunk's stored bytes, in its pack. */
    private void flipABit(BackupManifest m, ChunkRef chunk) {
        String key = chunk.key(m.chunks().store());
        byte[] pack = s3.getObjectAsBytes(r -> r.bucket(s3Config.bucket()).key(key)).asByteArray();
        pack[(int) chunk.offset() + chunk.storedSize() / 2] ^= 0x01;
        s3.putObject(p -> p.bucket(s3Config.bucket()).key(key), software.amazon.awssdk.core.sync.RequestBody.fromBytes(pack));
    }

    /** The backup's regular files, read back from its chunks alone (each checked against its id). */
    /** The sha256 of each regular file the backup holds, by name. */
    private Map<String, String> contentOf(BackupManifest m) throws Exception {
        Map<String, String> files = new HashMap<>();
        filesIn(m).forEach((name, bytes) -> files.put(name, ChunkRef.sha256(bytes)));
        return files;
    }

    /** The regular files the backup holds, by name, read from its chunks. */
    private Map<String, byte[]> filesIn(BackupManifest m) throws Exception {
        ByteArrayOutputStream tar = new ByteArrayOutputStream();
        for (ChunkRef chunk : chunkList(m)) {
            tar.write(chunk.decode(stored(m, chunk), seal(m)));
        }
        Map<String, byte[]> files = new HashMap<>();
        try (TarArchiveInputStream in = new TarArchiveInputStream(new ByteArrayInputStream(tar.toByteArray()))) {
            TarArchiveEntry e;
            while ((e = in.getNextEntry()) != null) {
                if (e.isFile()) {
                    files.put(e.getName(), in.readAllBytes());
                }
            }
        }
        return files;
    }

    /** The rows of {@code table} in the copy of SQLite database {@code name} the backup holds. */
    private long rowsInStoredDatabase(BackupManifest m, String name, String table) throws Exception {
        Path copy = Files.createTempFile("lifeboat-test-", ".sqlite3");
        try {
            Files.write(copy, filesIn(m).get(name));
            try (Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + copy);
                 var rs = c.createStatement().executeQuery("SELECT count(*) FROM " + table)) {
                rs.next();
                return rs.getLong(1);
            }
        } finally {
            Files.deleteIfExists(copy);
        }
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

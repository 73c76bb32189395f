package io.lifeboat.restore;

import io.lifeboat.testsupport.Scratch;
import io.lifeboat.bucket.chunk.ChunkRef;
import io.lifeboat.events.storage.BackupManifest;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static io.lifeboat.restore.RealServers.as;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Restores of chunked backups (manifest format 4) from the real S3Proxy: the chunks are fetched ahead, a run of a
 * pack at a time, each is checked against its id before any of it is extracted, and a damaged or missing chunk (or
 * pack) fails the restore with the target untouched and nothing left behind. Backups made before packs (each chunk
 * an object of its own) still restore.
 */
@QuarkusTest
class ChunkedRestoreTest {

    private static final List<String> FILES = List.of("chroma.sqlite3", "seg-1/data_level0.bin", "seg-2/data_level0.bin",
            "seg-2/metadata.txt");

    @Inject
    S3Client s3;

    @Inject
    MeterRegistry metrics;

    @Test
    void aChunkedBackupIsRestoredExactlyAndTheDamagedFolderIsMovedAside() throws Exception {
        Path dir = Scratch.directory("chunked-restore").resolve("chroma_db");
        BackupManifest m = chunkedBackup("chunked-r", dir);
        assertThat(m.chunks().chunks()).isGreaterThan(8);
        double before = chunkRequests();
        JsonPath r = restoresExactlyOverADamagedFolder("chunked-r", dir);
        assertThat(Files.readString(Path.of(r.getString("movedAsideAs")).resolve("chroma.sqlite3"))).isEqualTo("CORRUPTED");
        assertThat(chunkRequests() - before).as("one GET per pack").isEqualTo(packsOf(list(m)));
    }

    @Test
    void aBackupWhosePacksHoldTheirChunksOutOfListOrderIsStillFetchedAPackAtATime() throws Exception {
        Path dir = Scratch.directory("chunked-out-of-order").resolve("chroma_db");
        BackupManifest m = chunkedBackup("chunked-shuffled-r", dir, false, 4, true);
        List<ChunkRef> chunks = list(m);
        assertThat(chunks.get(1).offset()).as("the second chunk lies before the first in their pack").isLessThan(chunks.get(0).offset());
        double before = chunkRequests();
        restoresExactlyOverADamagedFolder("chunked-shuffled-r", dir);
        assertThat(chunkRequests() - before).as("one GET per pack, not one per chunk (%d chunks)", chunks.size())
                .isEqualTo(packsOf(chunks));
    }

    private double chunkRequests() {
        return metrics.counter("lifeboat_restore_chunk_requests").count();
    }

    private static double packsOf(List<ChunkRef> chunks) {
        return chunks.stream().map(ChunkRef::pack).distinct().count();
    }

    /** Damages {@code dir}, restores {@code source}'s newest backup over it, and checks every file came back. */
    private static JsonPath restoresExactlyOverADamagedFolder(String source, Path dir) throws Exception {
        Map<String, byte[]> original = contents(dir);
        BackupFixtures.write(dir.resolve("chroma.sqlite3"), "CORRUPTED");
        RestoreTest.dirTarget(source, dir);

        JsonPath r = Restores.finished(restore(source));
        assertThat(r.getString("phase")).as(r.prettify()).isEqualTo("Completed");
        assertThat(contents(dir)).containsOnlyKeys(original.keySet());
        for (var e : original.entrySet()) {
            assertThat(Files.readAllBytes(dir.resolve(e.getKey()))).as(e.getKey()).isEqualTo(e.getValue());
        }
        return r;
    }

    @Test
    void waitSecondsAnswersOnceTheRestoreIsFinishedWithOneRequest() throws Exception {
        Path dir = Scratch.directory("chunked-wait").resolve("chroma_db");
        chunkedBackup("chunked-wait-r", dir);
        RestoreTest.dirTarget("chunked-wait-r", dir);
        String id = restore("chunked-wait-r");
        JsonPath r = as("viewer").queryParam("waitSeconds", 60).get("/restores/" + id).then().statusCode(200).extract().jsonPath();
        assertThat(r.getString("phase")).as(r.prettify()).isEqualTo("Completed");

        as("viewer").queryParam("waitSeconds", 61).get("/restores/" + id).then().statusCode(400)
                .body("errors[0].field", org.hamcrest.Matchers.is("waitSeconds"));
    }

    @Test
    void aChunkedBackupFromBeforePacksStillRestores() throws Exception {
        Path dir = Scratch.directory("chunked-unpacked").resolve("chroma_db");
        BackupManifest m = chunkedBackup("chunked-unpacked-r", dir, false, 0);
        assertThat(list(m)).allSatisfy(c -> assertThat(c.pack()).isNull());
        restoresExactlyOverADamagedFolder("chunked-unpacked-r", dir);
    }

    @Test
    void anEncryptedChunkedBackupIsRestoredExactly() throws Exception {
        Path parent = Scratch.directory("chunked-encrypted");
        Path dir = parent.resolve("data");
        BackupManifest m = chunkedBackup("chunked-enc-r", dir, true);
        assertThat(m.encryption()).isNotNull();
        restoresExactlyOverADamagedFolder("chunked-enc-r", dir);
    }

    @Test
    void anEncryptedChunkPutInAnotherChunksPlaceFailsTheRestoreBeforeTheTargetIsTouched() throws Exception {
        Path parent = Scratch.directory("chunked-enc-swapped");
        Path dir = parent.resolve("data");
        BackupManifest m = chunkedBackup("chunked-enc-swapped-r", dir, true);
        List<ChunkRef> chunks = list(m);
        // authentic ciphertext under the right key, but of another chunk: the chunk id is its associated data
        ChunkRef victim = chunks.get(chunks.size() / 2);
        ChunkRef other = chunks.stream().filter(c -> c.storedSize() == victim.storedSize() && !c.id().equals(victim.id()))
                .findFirst().orElseThrow();
        overwrite(m, victim, stored(m, other));
        assertFailsLeavingTargetUntouched("chunked-enc-swapped-r", parent, dir, "chunk " + victim.id() + " is damaged");
    }

    @Test
    void aChunkWithOtherContentFailsTheRestoreBeforeTheTargetIsTouched() throws Exception {
        Path parent = Scratch.directory("chunked-swapped");
        Path dir = parent.resolve("data");
        BackupManifest m = chunkedBackup("chunked-swapped-r", dir);
        List<ChunkRef> chunks = list(m);
        // a well-formed chunk in the wrong place: it decompresses fine, only its hash tells
        ChunkRef victim = chunks.get(chunks.size() / 2);
        ChunkRef other = chunks.stream().filter(c -> c.codec() == victim.codec() && c.storedSize() == victim.storedSize()
                && !c.id().equals(victim.id())).findFirst().orElseThrow();
        overwrite(m, victim, stored(m, other));
        assertFailsLeavingTargetUntouched("chunked-swapped-r", parent, dir, "chunk " + victim.id());
    }

    @Test
    void aCompressedChunkWithAFlippedBitFailsTheRestoreBeforeTheTargetIsTouched() throws Exception {
        Path parent = Scratch.directory("chunked-flipped");
        Path dir = parent.resolve("data");
        BackupManifest m = chunkedBackup("chunked-flipped-r", dir);
        ChunkRef victim = list(m).stream().filter(c -> c.codec() == ChunkRef.Codec.zstd).findFirst().orElseThrow();
        byte[] stored = stored(m, victim);
        stored[stored.length / 2] ^= 0x01;
        overwrite(m, victim, stored);
        assertFailsLeavingTargetUntouched("chunked-flipped-r", parent, dir, "chunk " + victim.id() + " is damaged");
    }

    @Test
    void aMissingPackFailsTheRestoreBeforeTheTargetIsTouched() throws Exception {
        Path parent = Scratch.directory("chunked-missing");
        Path dir = parent.resolve("data");
        BackupManifest m = chunkedBackup("chunked-missing-r", dir);
        ChunkRef victim = list(m).get(5);
        assertThat(victim.offset()).isPositive();
        s3.deleteObject(b -> b.bucket(BackupFixtures.BUCKET).key(victim.key(m.chunks().store())));
        assertFailsLeavingTargetUntouched("chunked-missing-r", parent, dir, victim.key(m.chunks().store()));
    }

    @Test
    void aMissingChunkOfABackupFromBeforePacksFailsTheRestoreBeforeTheTargetIsTouched() throws Exception {
        Path parent = Scratch.directory("chunked-missing-unpacked");
        Path dir = parent.resolve("data");
        BackupManifest m = chunkedBackup("chunked-missing-unpacked-r", dir, false, 0);
        ChunkRef victim = list(m).get(3);
        s3.deleteObject(b -> b.bucket(BackupFixtures.BUCKET).key(victim.key(m.chunks().store())));
        assertFailsLeavingTargetUntouched("chunked-missing-unpacked-r", parent, dir, victim.id());
    }

    /** A chunk's stored bytes, from its pack (or its own object). */
    private byte[] stored(BackupManifest m, ChunkRef chunk) {
        byte[] object = s3.getObjectAsBytes(b -> b.bucket(BackupFixtures.BUCKET).key(chunk.key(m.chunks().store()))).asByteArray();
        return java.util.Arrays.copyOfRange(object, (int) chunk.offset(), (int) chunk.offset() + chunk.storedSize());
    }

    /** Puts {@code bytes} (of the chunk's stored size) in the chunk's place in its pack. */
    private void overwrite(BackupManifest m, ChunkRef chunk, byte[] bytes) {
        String key = chunk.key(m.chunks().store());
        byte[] object = s3.getObjectAsBytes(b -> b.bucket(BackupFixtures.BUCKET).key(key)).asByteArray();
        System.arraycopy(bytes, 0, object, (int) chunk.offset(), chunk.storedSize());
        s3.putObject(b -> b.bucket(BackupFixtures.BUCKET).key(key), RequestBody.fromBytes(object));
    }

    private void assertFailsLeavingTargetUntouched(String source, Path parent, Path dir, String named) throws Exception {
        BackupFixtures.write(dir.resolve("chroma.sqlite3"), "current");
        RestoreTest.dirTarget(source, dir);
        JsonPath r = Restores.finished(restore(source));
        assertThat(r.getString("phase")).isEqualTo("Failed");
        assertThat(r.getString("failedStep")).isEqualTo("download-and-extract");
        assertThat(r.getString("error")).contains(named);
        assertThat(Files.readString(dir.resolve("chroma.sqlite3"))).isEqualTo("current");
        try (var left = Files.list(parent)) {
            assertThat(left.map(p -> p.getFileName().toString())).containsExactly("data");
        }
    }

    /** ~1.5 MiB of incompressible segments and compressible text, stored as 96 KiB chunks, 4 to a pack. */
    private BackupManifest chunkedBackup(String source, Path dir) throws Exception {
        return chunkedBackup(source, dir, false, 4);
    }

    private BackupManifest chunkedBackup(String source, Path dir, boolean encrypt) throws Exception {
        return chunkedBackup(source, dir, encrypt, 4);
    }

    private BackupManifest chunkedBackup(String source, Path dir, boolean encrypt, int chunksPerPack) throws Exception {
        return chunkedBackup(source, dir, encrypt, chunksPerPack, false);
    }

    private BackupManifest chunkedBackup(String source, Path dir, boolean encrypt, int chunksPerPack, boolean packedOutOfOrder)
            throws Exception {
        BackupFixtures.ensureBucket(s3);
        Random random = new Random(source.hashCode());
        for (String name : FILES) {
            Files.createDirectories(dir.resolve(name).getParent());
            if (name.endsWith(".txt")) {
                Files.writeString(dir.resolve(name), "a line of metadata\n".repeat(20_000));
            } else {
                byte[] bytes = new byte[300_000 + random.nextInt(100_000)];
                random.nextBytes(bytes);
                Files.write(dir.resolve(name), bytes);
            }
        }
        return BackupFixtures.chunked(s3, source, dir, Instant.now().truncatedTo(ChronoUnit.MICROS), 96 * 1024, encrypt, chunksPerPack,
                packedOutOfOrder);
    }

    private List<ChunkRef> list(BackupManifest m) throws Exception {
        byte[] stored = s3.getObjectAsBytes(b -> b.bucket(BackupFixtures.BUCKET).key(m.objectKey())).asByteArray();
        if (m.encryption() != null) {
            try (var plain = BackupFixtures.keyset().getPrimitive(com.google.crypto.tink.StreamingAead.class)
                    .newDecryptingStream(new java.io.ByteArrayInputStream(stored), m.backupId().getBytes(StandardCharsets.UTF_8))) {
                stored = plain.readAllBytes();
            }
        }
        String text = new String(stored, StandardCharsets.US_ASCII);
        List<ChunkRef> chunks = new java.util.ArrayList<>();
        for (String line : text.split("\n")) {
            chunks.add(ChunkRef.parse(line));
        }
        return chunks;
    }

    private static Map<String, byte[]> contents(Path dir) throws Exception {
        Map<String, byte[]> files = new HashMap<>();
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.filter(Files::isRegularFile).toList()) {
                files.put(dir.relativize(p).toString(), Files.readAllBytes(p));
            }
        }
        return files;
    }

    private static String restore(String source) {
        return as("admin").contentType(ContentType.JSON)
                .body("{\"source\": \"" + source + "\", \"target\": \"" + source + "\", \"mode\": \"replace\", \"confirm\": \"" + source + "\"}")
                .post("/restores").then().statusCode(202).extract().path("id");
    }
}

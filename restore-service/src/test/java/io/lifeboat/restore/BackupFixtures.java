package io.lifeboat.restore;

import com.github.luben.zstd.ZstdOutputStream;
import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.KeyTemplates;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.StreamingAead;
import com.google.crypto.tink.TinkJsonProtoKeysetFormat;
import com.google.crypto.tink.streamingaead.StreamingAeadConfig;
import io.lifeboat.bucket.ManifestAuthentication;
import io.lifeboat.postgres.DatabaseRoles;
import io.lifeboat.bucket.chunk.ChunkSeal;
import io.lifeboat.events.backup.Encryption;
import io.lifeboat.bucket.chunk.ChunkRef;
import io.lifeboat.events.storage.BackupManifest;
import io.lifeboat.events.storage.ChunkedData;
import io.lifeboat.events.storage.NewestTimestamp;
import io.lifeboat.stack.PostgresServer;
import io.lifeboat.testsupport.TestServers;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Writes backups into the real bucket in backup-service's storage format (data object, then manifest.json),
 * using the real pg_dump and tar + zstd, so restore-service is tested against the format, not a mock.
 */
final class BackupFixtures {

    static final String BUCKET = "lifeboat-restore-test";
    static final Path KEYSET = Path.of("target/test-keys/backup-keyset.json");
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyy/MM/dd").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter ID = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    private BackupFixtures() {
    }

    static void ensureBucket(S3Client s3) {
        try {
            s3.createBucket(b -> b.bucket(BUCKET));
        } catch (software.amazon.awssdk.services.s3.model.S3Exception ignored) {
            // exists
        }
    }

    /** A pg_dump of {@code database} stored as a backup of {@code source}. */
    static BackupManifest postgres(S3Client s3, String source, String database, Instant recoveryPoint,
                                   Map<String, Long> rowCounts, Map<String, NewestTimestamp> newestTimestamps,
                                   boolean encrypt) throws Exception {
        PostgresServer pg = TestServers.get().postgres();
        ProcessBuilder dump = new ProcessBuilder(pg.binDir().resolve("pg_dump").toString(), "--format=custom", "-Z0",
                "-h", "127.0.0.1", "-p", Integer.toString(pg.port()), "-U", PostgresServer.SUPERUSER, "-d", database);
        dump.environment().put("PGPASSWORD", pg.password());
        Process p = dump.start();
        byte[] raw = p.getInputStream().readAllBytes();
        if (p.waitFor() != 0) {
            throw new IllegalStateException("pg_dump failed: " + new String(p.getErrorStream().readAllBytes()));
        }
        return store(s3, source, "postgres", raw, recoveryPoint, database, null, rowCounts, newestTimestamps, encrypt, null,
                roles(database));
    }

    /** The roles statements backup-service records for {@code database} (pg_dumpall --globals-only, filtered). */
    static String roles(String database) throws Exception {
        PostgresServer pg = TestServers.get().postgres();
        ProcessBuilder dumpall = new ProcessBuilder(pg.binDir().resolve("pg_dumpall").toString(), "--globals-only",
                "--no-role-passwords", "-h", "127.0.0.1", "-p", Integer.toString(pg.port()), "-U", PostgresServer.SUPERUSER);
        dumpall.environment().put("PGPASSWORD", pg.password());
        Process p = dumpall.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IllegalStateException("pg_dumpall failed: " + new String(p.getErrorStream().readAllBytes()));
        }
        try (var c = pg.connect(database)) {
            return DatabaseRoles.globalsFor(out, DatabaseRoles.neededBy(c));
        }
    }

    /** A tar of {@code dir} stored as a backup of {@code source}. */
    static BackupManifest directory(S3Client s3, String source, Path dir, Instant recoveryPoint) throws Exception {
        long[] counts = {0, 0};
        byte[] tar = tarOf(dir, counts);
        return store(s3, source, "directory", tar, recoveryPoint, null, dir.toString(), Map.of(), null, false, counts);
    }

    /** The tar backup-service would write of {@code dir}; {@code counts} receives its regular files and bytes. */
    static byte[] tarOf(Path dir, long[] counts) throws IOException {
        ByteArrayOutputStream tarBytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(tarBytes); Stream<Path> walk = Files.walk(dir)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            for (Path path : walk.sorted().toList()) {
                if (path.equals(dir)) continue;
                String name = dir.relativize(path).toString();
                TarArchiveEntry entry;
                if (Files.isDirectory(path)) {
                    entry = new TarArchiveEntry(name + "/");
                    entry.setMode(040755);
                    tar.putArchiveEntry(entry);
                } else {
                    entry = new TarArchiveEntry(name);
                    entry.setMode(0100640);
                    entry.setSize(Files.size(path));
                    tar.putArchiveEntry(entry);
                    Files.copy(path, tar);
                    counts[0]++;
                    counts[1] += Files.size(path);
                }
                tar.closeArchiveEntry();
            }
        }
        return tarBytes.toByteArray();
    }

    /**
     * A tar of {@code dir} stored as a chunked backup (manifest format 4), as backup-service stores one: chunks
     * (here cut every {@code chunkBytes}; a restore does not depend on where cuts fall) stored once each in the
     * source's chunk store, zstd or raw, {@code chunksPerPack} to a pack (0: each an object of its own, as before
     * packs), and the chunk list as the data object. With {@code encrypt}, as backup-service stores an encrypted
     * source: ids keyed and chunks sealed with the primary key of the test keyset ({@link ChunkSeal}), the list
     * encrypted like an archive.
     */
    static BackupManifest chunked(S3Client s3, String source, Path dir, Instant point, int chunkBytes, boolean encrypt,
                                  int chunksPerPack) throws Exception {
        return chunked(s3, source, dir, point, chunkBytes, encrypt, chunksPerPack, false);
    }

    /**
     * As {@link #chunked(S3Client, String, Path, Instant, int, boolean, int)}; with {@code packedOutOfOrder}, each
     * pack holds its chunks in the reverse of their list order, as backup-service's packs did before it placed chunks
     * in list order (they came in the order its workers finished).
     */
    static BackupManifest chunked(S3Client s3, String source, Path dir, Instant point, int chunkBytes, boolean encrypt,
                                  int chunksPerPack, boolean packedOutOfOrder) throws Exception {
        long[] counts = {0, 0};
        Encryption encryption = null;
        ChunkSeal seal = ChunkSeal.PLAIN;
        if (encrypt) {
            KeysetHandle keys = keyset();
            encryption = new Encryption("AES256_GCM_HKDF_1MB", "tink-" + Integer.toUnsignedString(keys.getKeysetInfo().getPrimaryKeyId()));
            seal = ChunkSeal.encrypted(keys, encryption.keyId());
        }
        byte[] tar = tarOf(dir, counts);
        String backupId = source + "-" + ID.format(point) + "-" + HexFormat.of().formatHex(new byte[]{(byte) (point.getNano() >> 8), (byte) System.nanoTime()});
        String folder = "backups/" + source + "/" + DAY.format(point) + "/" + backupId + "/";
        String store = "backups/" + source + "/chunks/";
        StringBuilder list = new StringBuilder();
        long chunks = 0, chunkStored = 0;
        List<ChunkRef> packChunks = new ArrayList<>();
        List<byte[]> packStored = new ArrayList<>();
        for (int off = 0; off < tar.length; off += chunkBytes) {
            byte[] bytes = java.util.Arrays.copyOfRange(tar, off, Math.min(tar.length, off + chunkBytes));
            byte[] compressed = com.github.luben.zstd.Zstd.compress(bytes, 3);
            boolean raw = compressed.length >= bytes.length;
            String id = seal.id(bytes);
            byte[] stored = seal.seal(id, raw ? bytes : compressed);
            ChunkRef chunk = new ChunkRef(id, bytes.length, stored.length, raw ? ChunkRef.Codec.raw : ChunkRef.Codec.zstd);
            if (chunksPerPack == 0) {
                s3.putObject(b -> b.bucket(BUCKET).key(chunk.key(store)), RequestBody.fromBytes(stored));
                list.append(chunk.line());
            } else {
                packChunks.add(chunk);
                packStored.add(stored);
            }
            chunks++;
            chunkStored += stored.length;
            boolean last = off + chunkBytes >= tar.length;
            if (chunksPerPack > 0 && (chunks % chunksPerPack == 0 || last)) {
                String packName = ChunkRef.newPackName();
                ByteArrayOutputStream pack = new ByteArrayOutputStream();
                long[] offsets = new long[packChunks.size()];
                for (int k = 0; k < packChunks.size(); k++) {
                    int placed = packedOutOfOrder ? packChunks.size() - 1 - k : k;
                    offsets[placed] = pack.size();
                    pack.write(packStored.get(placed));
                }
                for (int k = 0; k < packChunks.size(); k++) {
                    list.append(packChunks.get(k).in(packName, offsets[k]).line());
                }
                String packKey = ChunkRef.packKey(store, packName);
                s3.putObject(b -> b.bucket(BUCKET).key(packKey), RequestBody.fromBytes(pack.toByteArray()));
                packChunks.clear();
                packStored.clear();
            }
        }
        byte[] listBytes = list.toString().getBytes(StandardCharsets.US_ASCII);
        if (encrypt) {
            ByteArrayOutputStream sealedList = new ByteArrayOutputStream();
            try (OutputStream out = keyset().getPrimitive(StreamingAead.class).newEncryptingStream(sealedList,
                    backupId.getBytes(StandardCharsets.UTF_8))) {
                out.write(listBytes);
            }
            listBytes = sealedList.toByteArray();
        }
        byte[] listStored = listBytes;
        long partBytes = 16L * 1024 * 1024;
        io.lifeboat.bucket.StoredObjectDigest digest = new io.lifeboat.bucket.StoredObjectDigest(partBytes);
        digest.update(listStored, 0, listStored.length);
        s3.putObject(b -> b.bucket(BUCKET).key(folder + BackupManifest.CHUNK_LIST), RequestBody.fromBytes(listStored));
        BackupManifest manifest = new BackupManifest(BackupManifest.CHUNKED_FORMAT_VERSION, backupId, source, "directory",
                point, point, point.plusSeconds(1), tar.length, listStored.length, digest.hex(), folder + BackupManifest.CHUNK_LIST,
                "zstd", encryption, null, dir.toString(), null, null, counts[0], counts[1], Map.of("fixture", "restore-service test"),
                Map.of(), null, null, null, partBytes, new ChunkedData(store, chunks, chunkStored, chunks, chunkStored, 0, 0, 2), null);
        writeManifest(s3, folder + "manifest.json", manifest);
        return manifest;
    }

    /**
     * The same backup described as backup-service writes it since format 3: its digest composed from
     * {@code partBytes}-long parts (restores then fetch those parts in parallel with ranged GETs).
     */
    static BackupManifest inParts(S3Client s3, BackupManifest m, long partBytes) {
        byte[] stored = s3.getObjectAsBytes(b -> b.bucket(BUCKET).key(m.objectKey())).asByteArray();
        io.lifeboat.bucket.StoredObjectDigest digest = new io.lifeboat.bucket.StoredObjectDigest(partBytes);
        digest.update(stored, 0, stored.length);
        BackupManifest parted = new BackupManifest(3, m.backupId(), m.source(), m.kind(), m.recoveryPointAt(), m.startedAt(),
                m.completedAt(), m.sizeBytes(), m.storedBytes(), digest.hex(), m.objectKey(), m.compression(), m.encryption(),
                m.database(), m.path(), m.host(), m.port(), m.fileCount(), m.fileBytes(), m.toolVersions(), m.rowCounts(),
                m.newestTimestamps(), m.roles(), m.physical(), partBytes, null, null);
        writeManifest(s3, m.objectKey().replace("/data", "/manifest.json"), parted);
        return parted;
    }

    /** Signs and stores a manifest as backup-service does (the MAC key of this module's tests). */
    static void writeManifest(S3Client s3, String key, BackupManifest manifest) {
        byte[] signed = ManifestAuthentication.fromKeyset(TestServers.MANIFEST_KEYSET, true).sign(manifest);
        s3.putObject(b -> b.bucket(BUCKET).key(key), RequestBody.fromBytes(signed));
    }

    static BackupManifest store(S3Client s3, String source, String kind, byte[] plain, Instant point, String database,
                                String path, Map<String, Long> rowCounts, Map<String, NewestTimestamp> newestTimestamps,
                                boolean encrypt) throws Exception {
        return store(s3, source, kind, plain, point, database, path, rowCounts, newestTimestamps, encrypt, null, null);
    }

    /** {@code counts}: the regular files and their bytes a directory backup records. */
    static BackupManifest store(S3Client s3, String source, String kind, byte[] plain, Instant point, String database,
                                String path, Map<String, Long> rowCounts, Map<String, NewestTimestamp> newestTimestamps,
                                boolean encrypt, long[] counts) throws Exception {
        return store(s3, source, kind, plain, point, database, path, rowCounts, newestTimestamps, encrypt, counts, null);
    }

    static BackupManifest store(S3Client s3, String source, String kind, byte[] plain, Instant point, String database,
                                String path, Map<String, Long> rowCounts, Map<String, NewestTimestamp> newestTimestamps,
                                boolean encrypt, long[] counts, String roles) throws Exception {
        String backupId = source + "-" + ID.format(point) + "-" + HexFormat.of().formatHex(new byte[]{(byte) (point.getNano() >> 8), (byte) System.nanoTime()});
        String folder = "backups/" + source + "/" + DAY.format(point) + "/" + backupId + "/";
        ByteArrayOutputStream stored = new ByteArrayOutputStream();
        Encryption encryption = null;
        OutputStream sink = stored;
        if (encrypt) {
            KeysetHandle keys = keyset();
            sink = keys.getPrimitive(StreamingAead.class).newEncryptingStream(stored, backupId.getBytes(StandardCharsets.UTF_8));
            encryption = new Encryption("AES256_GCM_HKDF_1MB", "tink-" + Integer.toUnsignedString(keys.getKeysetInfo().getPrimaryKeyId()));
        }
        try (ZstdOutputStream zstd = new ZstdOutputStream(sink, 3)) {
            zstd.write(plain);
        }
        byte[] data = stored.toByteArray();
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        s3.putObject(b -> b.bucket(BUCKET).key(folder + "data"), RequestBody.fromBytes(data));
        BackupManifest manifest = new BackupManifest(2 /* one PUT, whole-object sha256: backups written before format 3 */, backupId, source, kind, point, point,
                point.plusSeconds(1), plain.length, data.length, sha, folder + "data", "zstd", encryption, database, path,
                database == null ? null : "127.0.0.1", database == null ? null : TestServers.get().postgres().port(),
                counts == null ? null : counts[0], counts == null ? null : counts[1],
                Map.of("fixture", "restore-service test"), rowCounts, newestTimestamps, roles, null, null, null, null);
        writeManifest(s3, folder + "manifest.json", manifest);
        return manifest;
    }

    static synchronized KeysetHandle keyset() throws Exception {
        StreamingAeadConfig.register();
        if (!Files.exists(KEYSET)) {
            Files.createDirectories(KEYSET.getParent());
            KeysetHandle generated = KeysetHandle.generateNew(KeyTemplates.get("AES256_GCM_HKDF_1MB"));
            Files.writeString(KEYSET, TinkJsonProtoKeysetFormat.serializeKeyset(generated, InsecureSecretKeyAccess.get()));
        }
        return TinkJsonProtoKeysetFormat.parseKeyset(Files.readString(KEYSET), InsecureSecretKeyAccess.get());
    }

    static void write(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
    }
}

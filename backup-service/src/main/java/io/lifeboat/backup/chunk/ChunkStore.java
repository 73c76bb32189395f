package io.lifeboat.backup.chunk;

import io.lifeboat.backup.config.BackupConfig;
import io.lifeboat.backup.storage.ArchiveSink;
import io.lifeboat.bucket.BackupBucket;
import io.lifeboat.bucket.StoredObjectDigest;
import io.lifeboat.bucket.chunk.ChunkRef;
import io.lifeboat.bucket.chunk.ChunkSeal;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.ContentStreamProvider;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.SequenceInputStream;
import java.security.MessageDigest;
import java.util.Collections;
import java.util.List;
import java.io.OutputStream;
import java.sql.SQLException;
import java.util.Base64;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The chunk stores of chunked backups ({@link BackupBucket#chunkStore}): opens a backup's {@link ChunkedArchive}
 * and uploads packs of chunks, each with its SHA-256 so S3 checks it on arrival.
 */
@ApplicationScoped
public class ChunkStore {

    private static final int DENSE_SAMPLE = 64 * 1024;
    /** Packs of one backup being uploaded at once: enough to keep S3 busy, few enough to keep the heap small. */
    private static final int PACKS_IN_FLIGHT = 4;

    private final BackupBucket bucket;
    private final ChunkIndex index;
    private final ChunkIndexRecovery recovery;
    private final UnchangedFiles unchangedFiles;
    private final BackupConfig config;
    private final ExecutorService pool;
    private final ExecutorService packUploads;

    public ChunkStore(BackupBucket bucket, ChunkIndex index, ChunkIndexRecovery recovery, UnchangedFiles unchangedFiles,
                      BackupConfig config) {
        this.bucket = bucket;
        this.index = index;
        this.recovery = recovery;
        this.unchangedFiles = unchangedFiles;
        this.config = config;
        AtomicInteger n = new AtomicInteger();
        this.pool = Executors.newFixedThreadPool(Math.max(1, config.chunkConcurrency()) * config.maxParallel(), r -> {
            Thread t = new Thread(r, "chunk-store-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        AtomicInteger u = new AtomicInteger();
        this.packUploads = Executors.newFixedThreadPool(PACKS_IN_FLIGHT * config.maxParallel(), r -> {
            Thread t = new Thread(r, "pack-upload-" + u.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    void onStop(@Observes ShutdownEvent event) {
        pool.shutdownNow();
        packUploads.shutdownNow();
    }

    /**
     * A chunked backup of {@code source} writing its chunk list to {@code list}, its chunks named and sealed with
     * {@code seal}; close it when done, failed or not.
     */
    public ChunkedArchive open(String source, String backupId, OutputStream list, ChunkSeal seal) throws IOException {
        try {
            return new ChunkedArchive(this, source, backupId, list, seal, pool, 2 * Math.max(1, config.chunkConcurrency()),
                    packUploads, PACKS_IN_FLIGHT);
        } catch (SQLException e) {
            throw new IOException("cannot hold the chunk store of " + source + ": " + e.getMessage(), e);
        }
    }

    ChunkIndex index() {
        return index;
    }

    UnchangedFiles unchangedFiles() {
        return unchangedFiles;
    }

    ChunkIndexRecovery recovery() {
        return recovery;
    }

    BackupBucket bucket() {
        return bucket;
    }

    int packBytes() {
        return config.packBytes();
    }

    int level() {
        return config.zstdLevel();
    }

    boolean isDense(byte[] chunk) {
        return ArchiveSink.isDense(chunk, Math.min(chunk.length, DENSE_SAMPLE));
    }

    /**
     * Uploads a pack: its chunks' sealed bytes, one after another, with their SHA-256 for S3 to check. The pieces
     * are streamed as they are (no copy into one array: with a few packs in flight, copies are what filled the heap).
     */
    void uploadPack(String source, String pack, List<byte[]> pieces, long size) {
        MessageDigest digest = StoredObjectDigest.sha256();
        pieces.forEach(digest::update);
        String checksum = Base64.getEncoder().encodeToString(digest.digest());
        ContentStreamProvider content = () -> new SequenceInputStream(Collections.enumeration(
                pieces.stream().map(ByteArrayInputStream::new).toList()));
        bucket.client().putObject(b -> b.bucket(bucket.name()).key(ChunkRef.packKey(bucket.chunkStore(source), pack))
                .contentLength(size).checksumSHA256(checksum), RequestBody.fromContentProvider(content, size, "application/octet-stream"));
    }
}

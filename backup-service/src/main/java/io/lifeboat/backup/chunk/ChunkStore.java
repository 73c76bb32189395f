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

import java.io.IOException;
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

    private final BackupBucket bucket;
    private final ChunkIndex index;
    private final BackupConfig config;
    private final ExecutorService pool;
    private final ExecutorService packUploads;

    public ChunkStore(BackupBucket bucket, ChunkIndex index, BackupConfig config) {
        this.bucket = bucket;
        this.index = index;
        this.config = config;
        AtomicInteger n = new AtomicInteger();
        this.pool = Executors.newFixedThreadPool(Math.max(1, config.chunkConcurrency()) * config.maxParallel(), r -> {
            Thread t = new Thread(r, "chunk-store-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        AtomicInteger u = new AtomicInteger();
        this.packUploads = Executors.newFixedThreadPool(Math.max(1, config.chunkConcurrency()) * config.maxParallel(), r -> {
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
                    packUploads, Math.max(1, config.chunkConcurrency()));
        } catch (SQLException e) {
            throw new IOException("cannot hold the chunk store of " + source + ": " + e.getMessage(), e);
        }
    }

    ChunkIndex index() {
        return index;
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

    /** Uploads a pack's bytes, with their SHA-256 for S3 to check. */
    void uploadPack(String source, String pack, byte[] bytes) {
        String checksum = Base64.getEncoder().encodeToString(StoredObjectDigest.sha256().digest(bytes));
        bucket.client().putObject(b -> b.bucket(bucket.name()).key(ChunkRef.packKey(bucket.chunkStore(source), pack))
                .contentLength((long) bytes.length).checksumSHA256(checksum), RequestBody.fromBytes(bytes));
    }
}

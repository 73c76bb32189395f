package io.lifeboat.backup.chunk;

import io.lifeboat.backup.config.BackupConfig;
import io.lifeboat.backup.storage.ArchiveSink;
import io.lifeboat.bucket.BackupBucket;
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
import java.util.HexFormat;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The chunk stores of chunked backups ({@link BackupBucket#chunkStore}): opens a backup's {@link ChunkedArchive}
 * and uploads chunks, each with its SHA-256 so S3 checks it on arrival.
 */
@ApplicationScoped
public class ChunkStore {

    private static final int DENSE_SAMPLE = 64 * 1024;

    private final BackupBucket bucket;
    private final ChunkIndex index;
    private final BackupConfig config;
    private final ExecutorService pool;

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
    }

    void onStop(@Observes ShutdownEvent event) {
        pool.shutdownNow();
    }

    /**
     * A chunked backup of {@code source} writing its chunk list to {@code list}, its chunks named and sealed with
     * {@code seal}; close it when done, failed or not.
     */
    public ChunkedArchive open(String source, String backupId, OutputStream list, ChunkSeal seal) throws IOException {
        try {
            return new ChunkedArchive(this, source, backupId, list, seal, pool, 2 * Math.max(1, config.chunkConcurrency()));
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

    int level() {
        return config.zstdLevel();
    }

    boolean isDense(byte[] chunk) {
        return ArchiveSink.isDense(chunk, Math.min(chunk.length, DENSE_SAMPLE));
    }

    /** Uploads a chunk's {@code sealed} bytes; {@code sha256} is their hash when already known, else null. */
    void upload(String source, ChunkRef chunk, byte[] sealed, String knownSha256) {
        String sha256 = knownSha256 != null ? knownSha256 : ChunkRef.sha256(sealed);
        String checksum = Base64.getEncoder().encodeToString(HexFormat.of().parseHex(sha256));
        bucket.client().putObject(b -> b.bucket(bucket.name()).key(chunk.key(bucket.chunkStore(source)))
                .contentLength((long) sealed.length).checksumSHA256(checksum), RequestBody.fromBytes(sealed));
    }
}

package io.lifeboat.restore.storage;

import io.lifeboat.bucket.BackupBucket;
import io.lifeboat.bucket.StoredObjectDigest;
import io.lifeboat.events.storage.BackupManifest;
import io.lifeboat.restore.config.RestoreConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Reads a backup's data object as stored, hashing it as it goes ({@link StoredObjectDigest}). An object written in
 * parts (manifest format 3) is fetched part by part with ranged GETs, several at once, each part hashed on the
 * thread that fetched it, so the download and its checksum run beside decompression and extraction instead of in
 * front of them ({@link ParallelPartDownload}); an older object is read in one stream.
 */
@ApplicationScoped
public class BackupDownloads {

    private final BackupBucket bucket;
    private final RestoreConfig config;
    private final ExecutorService parts;
    /** GETs of chunks (a run of a pack, or a chunk stored on its own): how many requests a chunked restore made. */
    private final Counter chunkRequests;

    public BackupDownloads(BackupBucket bucket, RestoreConfig config, MeterRegistry metrics) {
        this.bucket = bucket;
        this.config = config;
        this.chunkRequests = Counter.builder("lifeboat_restore_chunk_requests")
                .description("GET requests for chunks made by restores (one per run of a pack, or per chunk stored on its own)")
                .register(metrics);
        AtomicInteger n = new AtomicInteger();
        this.parts = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "s3-part-download-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    void onStop(@Observes ShutdownEvent event) {
        parts.shutdownNow();
    }

    /** A stored object being read, and what it hashes to (known once it has been read to its end). */
    public abstract static class Download extends InputStream {
        /** The digest of every byte read, in the manifest's form; call once, after the last byte. */
        public abstract String hex();

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }
    }

    /** What is done with a fetched object on the thread that fetched it (a chunk's check, for one). */
    @FunctionalInterface
    public interface Fetched<T> {
        T apply(byte[] stored) throws IOException;
    }

    /**
     * Fetches a whole (small) object of {@code size} bytes in the background, on the download pool, read straight
     * into one array of that size, and applies {@code then} there. An object of another size is refused.
     */
    public <T> Future<T> fetch(String key, int size, Fetched<T> then) {
        return parts.submit(() -> {
            chunkRequests.increment();
            byte[] stored = new byte[size];
            try (InputStream in = bucket.read(key)) {
                int n = in.readNBytes(stored, 0, size);
                if (n != size || in.read() >= 0) {
                    throw new IOException(key + " does not hold the " + size + " bytes its list names");
                }
            }
            return then.apply(stored);
        });
    }

    /**
     * Fetches {@code length} bytes at {@code offset} of an object (a run of chunks in a pack) with one ranged GET, in
     * the background, and applies {@code then} to them there. An object that ends before them is refused.
     */
    public <T> Future<T> fetchRange(String key, long offset, int length, Fetched<T> then) {
        return parts.submit(() -> {
            chunkRequests.increment();
            byte[] stored = new byte[length];
            String range = "bytes=" + offset + "-" + (offset + length - 1);
            try (InputStream in = bucket.client().getObject(r -> r.bucket(bucket.name()).key(key).range(range))) {
                int n = in.readNBytes(stored, 0, length);
                if (n != length || in.read() >= 0) {
                    throw new IOException(key + " does not hold the " + length + " bytes at offset " + offset + " its list names");
                }
            }
            return then.apply(stored);
        });
    }

    public int chunkConcurrency() {
        return config.chunkConcurrency();
    }

    public Download open(BackupManifest manifest) {
        if (manifest.partBytes() == null || manifest.storedBytes() <= manifest.partBytes()) {
            return new SequentialDownload(bucket.read(manifest.objectKey()), manifest.partBytes());
        }
        return new ParallelPartDownload(bucket.client(), bucket.name(), manifest.objectKey(), manifest.storedBytes(),
                manifest.partBytes().intValue(), config.downloadConcurrency(), parts);
    }

    private static final class SequentialDownload extends Download {
        private final InputStream in;
        private final StoredObjectDigest digest;

        SequentialDownload(InputStream in, Long partBytes) {
            this.in = in;
            this.digest = new StoredObjectDigest(partBytes);
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = in.read(b, off, len);
            if (n > 0) {
                digest.update(b, off, n);
            }
            return n;
        }

        @Override
        public String hex() {
            return digest.hex();
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }
}

package io.lifeboat.restore.storage;

import io.lifeboat.bucket.StoredObjectDigest;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;

import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;

/**
 * An object stored in {@code partBytes}-long parts, fetched with ranged GETs, {@code concurrency} parts ahead of the
 * reader, and handed to it in order. Each part is hashed by the thread that fetched it; {@link #hex()} composes the
 * object's digest from them. Memory: (concurrency + 1) part buffers, allocated once. The object must be exactly
 * {@code size} bytes long (every response's Content-Range says how long it is).
 */
final class ParallelPartDownload extends BackupDownloads.Download {

    private final S3Client s3;
    private final String bucket;
    private final String key;
    private final long size;
    private final int partBytes;
    private final int partCount;
    private final ExecutorService executor;
    private final BlockingQueue<byte[]> free;
    private final Deque<Future<Part>> ahead = new ArrayDeque<>();
    private final List<byte[]> digests = new ArrayList<>();
    private int nextToFetch;
    private Part current;
    private int position;
    private boolean closed;

    private record Part(byte[] data, int length, byte[] sha256) {
    }

    ParallelPartDownload(S3Client s3, String bucket, String key, long size, int partBytes, int concurrency,
                         ExecutorService executor) {
        this.s3 = s3;
        this.bucket = bucket;
        this.key = key;
        this.size = size;
        this.partBytes = partBytes;
        this.partCount = (int) ((size + partBytes - 1) / partBytes);
        this.executor = executor;
        int buffers = Math.min(partCount, concurrency + 1);
        this.free = new ArrayBlockingQueue<>(buffers);
        for (int i = 0; i < buffers; i++) {
            free.add(new byte[(int) Math.min(partBytes, size)]);
        }
        for (int i = 0; i < Math.min(partCount, concurrency); i++) {
            fetchNext();
        }
    }

    private void fetchNext() {
        if (nextToFetch >= partCount) {
            return;
        }
        int part = nextToFetch++;
        byte[] buffer = free.poll();
        if (buffer == null) {
            throw new IllegalStateException("no free part buffer"); // cannot happen: one is freed before each fetch
        }
        ahead.addLast(executor.submit(() -> fetch(part, buffer)));
    }

    private Part fetch(int part, byte[] buffer) throws IOException {
        long start = (long) part * partBytes;
        int length = (int) Math.min(partBytes, size - start);
        String range = "bytes=" + start + "-" + (start + length - 1);
        try (ResponseInputStream<GetObjectResponse> in = s3.getObject(r -> r.bucket(bucket).key(key).range(range))) {
            String contentRange = in.response().contentRange();
            long total = contentRange == null ? -1 : Long.parseLong(contentRange.substring(contentRange.lastIndexOf('/') + 1));
            if (total != size) {
                throw new IOException("the stored object has " + total + " bytes, the manifest says " + size);
            }
            int n = in.readNBytes(buffer, 0, length);
            if (n != length || in.read() >= 0) {
                throw new IOException("part " + (part + 1) + " of " + key + " came back with " + n + " bytes, not " + length);
            }
        }
        MessageDigest sha256 = StoredObjectDigest.sha256();
        sha256.update(buffer, 0, length);
        return new Part(buffer, length, sha256.digest());
    }

    private boolean advance() throws IOException {
        if (current != null) {
            free.add(current.data());
            current = null;
            fetchNext();
        }
        Future<Part> next = ahead.pollFirst();
        if (next == null) {
            return false;
        }
        try {
            current = next.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while downloading " + key, e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            throw cause instanceof IOException io ? io : new IOException("cannot download " + key + ": " + cause.getMessage(), cause);
        }
        digests.add(current.sha256());
        position = 0;
        return true;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (closed) {
            throw new IOException("download of " + key + " is closed");
        }
        if (len == 0) {
            return 0;
        }
        while (current == null || position == current.length()) {
            if (!advance()) {
                return -1;
            }
        }
        int n = Math.min(len, current.length() - position);
        System.arraycopy(current.data(), position, b, off, n);
        position += n;
        return n;
    }

    @Override
    public String hex() {
        return StoredObjectDigest.composite(digests);
    }

    @Override
    public void close() {
        closed = true;
        ahead.forEach(f -> f.cancel(true));
        ahead.clear();
    }
}

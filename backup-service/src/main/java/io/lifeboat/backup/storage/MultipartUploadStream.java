package io.lifeboat.backup.storage;

import io.lifeboat.bucket.StoredObjectDigest;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.AbortMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.CompletedMultipartUpload;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.UploadPartRequest;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;

/**
 * Streams bytes into an S3 multipart upload: fills a part while earlier parts upload in parallel, and never touches
 * the local disk. Each part is hashed once (SHA-256, on its upload thread) and sent with that digest, which S3
 * checks on arrival; the object's digest is composed from them ({@link StoredObjectDigest}). Memory is bounded by
 * part size x (concurrency + 1). The upload becomes an object only on {@link #complete()}; {@link #abort()}
 * discards it.
 */
public final class MultipartUploadStream extends OutputStream {

    private static final int FIRST_BUFFER = 256 * 1024;

    private final S3Client s3;
    private final String bucket;
    private final String key;
    private final String uploadId;
    private final int partSize;
    private final ExecutorService executor;
    private final Semaphore inFlight;
    private final List<Future<UploadedPart>> parts = new ArrayList<>();
    /** Part buffers whose upload finished, reused: at most concurrency + 1 are ever allocated (no GC churn). */
    private final ConcurrentLinkedQueue<byte[]> freeBuffers = new ConcurrentLinkedQueue<>();
    /**
     * The part being filled; null until the next byte comes. It grows from {@link #FIRST_BUFFER} to the part size, so
     * a small object (a chunk list of an unchanged store) does not take a whole part's memory (16 MiB with the default
     * settings, allocated in the old generation and collected by full collections).
     */
    private byte[] buffer;
    private int filled;
    private long total;
    private boolean closed;

    public MultipartUploadStream(S3Client s3, String bucket, String key, int partSize, int concurrency,
                                 ExecutorService executor) {
        this.s3 = s3;
        this.bucket = bucket;
        this.key = key;
        this.partSize = partSize;
        this.executor = executor;
        this.inFlight = new Semaphore(concurrency);
        this.uploadId = s3.createMultipartUpload(CreateMultipartUploadRequest.builder().bucket(bucket).key(key)
                .contentType("application/octet-stream").build()).uploadId();
    }

    public String uploadId() {
        return uploadId;
    }

    /** The piece size of this object's digest (every part but the last has exactly this many bytes). */
    public long partBytes() {
        return partSize;
    }

    /** Bytes stored so far. */
    public long total() {
        return total;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[]{(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        ensureOpen();
        total += len;
        while (len > 0) {
            ensureRoom();
            int n = Math.min(len, buffer.length - filled);
            System.arraycopy(b, off, buffer, filled, n);
            filled += n;
            off += n;
            len -= n;
            if (filled == partSize) {
                submitPart();
            }
        }
    }

    private void submitPart() throws IOException {
        checkFailedParts();
        try {
            inFlight.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for a part upload", e);
        }
        byte[] data = buffer == null ? new byte[0] : buffer;
        int length = filled;
        int partNumber = parts.size() + 1;
        buffer = null;
        filled = 0;
        parts.add(executor.submit(() -> {
            try {
                MessageDigest sha256 = StoredObjectDigest.sha256();
                sha256.update(data, 0, length);
                byte[] digest = sha256.digest();
                String checksum = Base64.getEncoder().encodeToString(digest);
                // streamed from the buffer, not copied (RequestBody.fromBytes copies 16 MiB per part)
                String etag = s3.uploadPart(UploadPartRequest.builder().bucket(bucket).key(key).uploadId(uploadId)
                                .partNumber(partNumber).contentLength((long) length).checksumSHA256(checksum).build(),
                        RequestBody.fromContentProvider(() -> new ByteArrayInputStream(data, 0, length), length,
                                "application/octet-stream")).eTag();
                return new UploadedPart(CompletedPart.builder().partNumber(partNumber).eTag(etag).build(), digest);
            } finally {
                freeBuffers.add(data); // before the permit: a new part may then reuse it
                inFlight.release();
            }
        }));
    }

    /** A buffer with room for the next byte: a free one, a new one, or the current one grown (up to a part). */
    private void ensureRoom() {
        if (buffer == null) {
            byte[] free = freeBuffers.poll();
            buffer = free != null ? free : new byte[Math.min(partSize, FIRST_BUFFER)];
        } else if (filled == buffer.length) {
            buffer = Arrays.copyOf(buffer, (int) Math.min(partSize, buffer.length * 2L));
        }
    }

    private void checkFailedParts() throws IOException {
        for (Future<UploadedPart> part : parts) {
            if (part.isDone()) {
                awaitPart(part);
            }
        }
    }

    private static UploadedPart awaitPart(Future<UploadedPart> part) throws IOException {
        try {
            return part.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while uploading", e);
        } catch (ExecutionException e) {
            throw new IOException("S3 part upload failed: " + e.getCause().getMessage(), e.getCause());
        }
    }

    /** Uploads the last part and completes the upload; returns the object's digest ({@link StoredObjectDigest}). */
    public String complete() throws IOException {
        ensureOpen();
        if (filled > 0 || parts.isEmpty()) {
            submitPart();
        }
        List<CompletedPart> completed = new ArrayList<>();
        List<byte[]> digests = new ArrayList<>();
        for (Future<UploadedPart> part : parts) { // in part order
            UploadedPart uploaded = awaitPart(part);
            completed.add(uploaded.part());
            digests.add(uploaded.sha256());
        }
        s3.completeMultipartUpload(CompleteMultipartUploadRequest.builder().bucket(bucket).key(key).uploadId(uploadId)
                .multipartUpload(CompletedMultipartUpload.builder().parts(completed).build()).build());
        closed = true;
        return StoredObjectDigest.composite(digests);
    }

    /** Discards everything uploaded; safe to call more than once. */
    public void abort() {
        if (closed) {
            return;
        }
        closed = true;
        parts.forEach(p -> p.cancel(true));
        for (Future<UploadedPart> part : parts) {
            try {
                part.get();
            } catch (Exception ignored) {
                // aborting anyway
            }
        }
        s3.abortMultipartUpload(AbortMultipartUploadRequest.builder().bucket(bucket).key(key).uploadId(uploadId).build());
    }

    /** close() does not complete: completion must be explicit so an error path can never publish half a backup. */
    @Override
    public void close() {
        // intentionally empty
    }

    private record UploadedPart(CompletedPart part, byte[] sha256) {
    }

    private void ensureOpen() throws IOException {
        if (closed) {
            throw new IOException("upload of " + key + " is already finished");
        }
    }
}

package io.lifeboat.backup.storage;

import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.AbortMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.CompletedMultipartUpload;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.UploadPartRequest;

import java.io.IOException;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;

/**
 * Streams bytes into an S3 multipart upload: fills a part while earlier parts upload in parallel, hashes every
 * byte stored (SHA-256), and never touches the local disk. Memory is bounded by part size x (concurrency + 1).
 * The upload becomes an object only on {@link #close()}; {@link #abort()} discards it.
 */
public final class MultipartUploadStream extends OutputStream {

    private final S3Client s3;
    private final String bucket;
    private final String key;
    private final String uploadId;
    private final int partSize;
    private final ExecutorService executor;
    private final Semaphore inFlight;
    private final MessageDigest sha256;
    private final List<Future<CompletedPart>> parts = new ArrayList<>();
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
        try {
            this.sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        this.uploadId = s3.createMultipartUpload(CreateMultipartUploadRequest.builder().bucket(bucket).key(key)
                .contentType("application/octet-stream").build()).uploadId();
        this.buffer = new byte[partSize];
    }

    public String uploadId() {
        return uploadId;
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
        sha256.update(b, off, len);
        total += len;
        while (len > 0) {
            int n = Math.min(len, partSize - filled);
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
        byte[] data = buffer;
        int length = filled;
        int partNumber = parts.size() + 1;
        buffer = new byte[partSize];
        filled = 0;
        parts.add(executor.submit(() -> {
            try {
                String etag = s3.uploadPart(UploadPartRequest.builder().bucket(bucket).key(key).uploadId(uploadId)
                                .partNumber(partNumber).contentLength((long) length).build(),
                        RequestBody.fromBytes(length == data.length ? data : java.util.Arrays.copyOf(data, length))).eTag();
                return CompletedPart.builder().partNumber(partNumber).eTag(etag).build();
            } finally {
                inFlight.release();
            }
        }));
    }

    private void checkFailedParts() throws IOException {
        for (Future<CompletedPart> part : parts) {
            if (part.isDone()) {
                awaitPart(part);
            }
        }
    }

    private static CompletedPart awaitPart(Future<CompletedPart> part) throws IOException {
        try {
            return part.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while uploading", e);
        } catch (ExecutionException e) {
            throw new IOException("S3 part upload failed: " + e.getCause().getMessage(), e.getCause());
        }
    }

    /** Uploads the last part and completes the upload; returns the hex SHA-256 of every byte stored. */
    public String complete() throws IOException {
        ensureOpen();
        if (filled > 0 || parts.isEmpty()) {
            submitPart();
        }
        List<CompletedPart> completed = new ArrayList<>();
        for (Future<CompletedPart> part : parts) {
            completed.add(awaitPart(part));
        }
        completed.sort(Comparator.comparingInt(CompletedPart::partNumber));
        s3.completeMultipartUpload(CompleteMultipartUploadRequest.builder().bucket(bucket).key(key).uploadId(uploadId)
                .multipartUpload(CompletedMultipartUpload.builder().parts(completed).build()).build());
        closed = true;
        return HexFormat.of().formatHex(sha256.digest());
    }

    /** Discards everything uploaded; safe to call more than once. */
    public void abort() {
        if (closed) {
            return;
        }
        closed = true;
        parts.forEach(p -> p.cancel(true));
        for (Future<CompletedPart> part : parts) {
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

    private void ensureOpen() throws IOException {
        if (closed) {
            throw new IOException("upload of " + key + " is already finished");
        }
    }
}

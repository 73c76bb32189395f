package io.lifeboat.backup.chunk;

import io.lifeboat.bucket.chunk.ChunkRef;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The packs one backup writes: sealed chunks are placed one after another in the pack being filled, and a full pack
 * is uploaded in the background, a bounded number at once. Each upload is recorded before its first byte (so a
 * crash leaves nothing the sweep cannot find) and its chunks indexed after it is stored whole; until then this
 * writer answers for them, so the backup stores each chunk once.
 */
final class PackWriter implements AutoCloseable {

    /** How long closing waits for each pack upload still running. */
    private static final long UPLOAD_WAIT_SECONDS = 60;

    private final ChunkStore store;
    private final String source;
    private final String backupId;
    private final ExecutorService uploadPool;
    private final Semaphore inFlight;
    private final Queue<Future<?>> uploads = new ConcurrentLinkedQueue<>();
    /** Chunks of packs not indexed yet; emptied as packs are indexed. */
    private final Map<String, ChunkRef> unindexed = new ConcurrentHashMap<>();
    private final Packer packer;

    PackWriter(ChunkStore store, String source, String backupId, ExecutorService uploadPool, int maxInFlight) {
        this.store = store;
        this.source = source;
        this.backupId = backupId;
        this.uploadPool = uploadPool;
        this.inFlight = new Semaphore(maxInFlight);
        this.packer = new Packer(store.packBytes());
    }

    /** Where this backup already placed a chunk with this id, while its pack is not indexed yet; else null. */
    ChunkRef placed(String id) {
        return unindexed.get(id);
    }

    /**
     * Places a sealed chunk in the pack being filled and returns where it is; when that fills the pack, its upload
     * starts (blocking while as many packs are in flight as allowed).
     */
    ChunkRef place(ChunkRef chunk, byte[] sealed) throws InterruptedException {
        ChunkRef placed;
        Packer.Full full;
        synchronized (packer) {
            placed = packer.place(chunk, sealed);
            unindexed.put(placed.id(), placed);
            full = packer.fullPack();
        }
        if (full != null) {
            upload(full);
        }
        return placed;
    }

    /** Throws the error of the first pack upload that failed, if one did (not waiting for the others). */
    void checkUploads() throws IOException {
        check(false);
    }

    /** Uploads the pack being filled and waits until every pack is stored and indexed. */
    void flush() throws IOException {
        Packer.Full last;
        synchronized (packer) {
            last = packer.rest();
        }
        if (last != null) {
            try {
                upload(last);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while storing packs", e);
            }
        }
        check(true);
    }

    private void upload(Packer.Full pack) throws InterruptedException {
        inFlight.acquire();
        try {
            uploads.add(uploadPool.submit(() -> {
                try {
                    store.index().storingPack(source, pack.name(), pack.size(), backupId);
                    store.uploadPack(source, pack.name(), pack.pieces(), pack.size());
                    store.index().storedPack(source, pack.name(), pack.chunks(), backupId);
                    pack.chunks().forEach(c -> unindexed.remove(c.id()));
                    return null;
                } finally {
                    inFlight.release();
                }
            }));
        } catch (RuntimeException rejected) {
            inFlight.release();
            throw rejected;
        }
    }

    private void check(boolean all) throws IOException {
        for (Future<?> upload; (upload = uploads.peek()) != null && (all || upload.isDone()); uploads.poll()) {
            try {
                upload.get();
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                throw cause instanceof IOException io ? io : new IOException("cannot store a pack of chunks: " + cause.getMessage(), cause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while storing packs", e);
            }
        }
    }

    /**
     * Waits for the uploads still running (at most a few), so none lands after the backup releases the chunk
     * store; one that failed or is stuck left its pack row, and the sweep deletes what it stored.
     */
    @Override
    public void close() {
        for (Future<?> upload : uploads) {
            try {
                upload.get(UPLOAD_WAIT_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (ExecutionException | TimeoutException | CancellationException ignored) {
                // its pack row is recorded: the sweep deletes what it left
            }
        }
        uploads.clear();
    }

    /**
     * The pack being filled: sealed chunks one after another, each placed at its offset. Its name is random and
     * known before it is full, so a chunk's list line can be written before its pack is uploaded.
     */
    private static final class Packer {
        private final int target;
        private String name = ChunkRef.newPackName();
        private List<byte[]> pieces = new ArrayList<>();
        private List<ChunkRef> chunks = new ArrayList<>();
        private long size;

        /** A pack to upload: its chunks' sealed bytes in order. */
        record Full(String name, List<byte[]> pieces, List<ChunkRef> chunks, long size) {
        }

        Packer(int target) {
            this.target = target;
        }

        ChunkRef place(ChunkRef chunk, byte[] sealed) {
            ChunkRef placed = chunk.in(name, size);
            pieces.add(sealed);
            chunks.add(placed);
            size += sealed.length;
            return placed;
        }

        /** The pack, when it is full (a new one is begun); else null. */
        Full fullPack() {
            return size >= target ? rest() : null;
        }

        /** What the pack holds, if anything (a new one is begun). */
        Full rest() {
            if (chunks.isEmpty()) {
                return null;
            }
            Full full = new Full(name, pieces, chunks, size);
            name = ChunkRef.newPackName();
            pieces = new ArrayList<>();
            chunks = new ArrayList<>();
            size = 0;
            return full;
        }
    }
}

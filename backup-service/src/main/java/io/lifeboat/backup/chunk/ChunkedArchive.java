package io.lifeboat.backup.chunk;

import com.github.luben.zstd.Zstd;
import io.lifeboat.backup.storage.FileIdentity;
import io.lifeboat.bucket.chunk.ChunkRef;
import io.lifeboat.bucket.chunk.ChunkSeal;
import io.lifeboat.events.storage.ChunkedData;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;

/**
 * One chunked backup being written: each chunk is hashed, looked up in the {@link ChunkIndex}, and, only when the
 * bucket does not have it, compressed and sealed, several at once, then placed in a pack ({@link PackWriter}) in list
 * order. The chunk list
 * (the backup's data object) receives one line per chunk in archive order, naming its pack and offset;
 * {@link #finish} returns once every pack it names is stored. A large file unchanged since the previous backup is not
 * read: its chunks are taken from that backup's record ({@link UnchangedFiles}). The source's chunk store
 * is held for the backup's whole run, so retention cannot sweep a chunk this backup counts on. An index that holds
 * nothing of the source is first rebuilt from the bucket's newest backup of it ({@link ChunkIndexRecovery}). A chunk
 * it would reuse from a pack the previous backup used less than half of, and whose own backup expired, is stored
 * again, in this backup's packs ({@link ChunkIndex#sparsePacks}), so that pack is swept once the backups pointing
 * into it expire.
 */
public final class ChunkedArchive implements ChunkReceiver, AutoCloseable {

    /** Below this a chunk is stored as it is: zstd saved less than 3 % of it. */
    private static final double STORE_RAW_ABOVE = 0.97;

    private final ChunkStore store;
    private final String source;
    private final String backupId;
    private final OutputStream list;
    private final ChunkSeal seal;
    private final ExecutorService pool;
    private final int window;
    private final ChunkStoreLock hold;
    private final ArrayDeque<Future<Stored>> pending = new ArrayDeque<>();
    private final PackWriter packs;
    /** Chunks stored as objects of their own (before packs) this backup references: retention keeps them. */
    private final List<String> references = new ArrayList<>();
    /** Packs this backup's list points into, with the stored bytes it uses of each, not recorded yet. */
    private final Map<String, Long> packUse = new HashMap<>();
    /**
     * Packs the previous backup used less than half of, their own backup expired: chunks this backup would reuse
     * from them are stored again, in its own packs, so those packs can be swept once the backups before this one
     * expire. Held in memory: at most the packs the previous backup points into (a few MiB each), not the store's
     * chunks.
     */
    private final Set<String> sparse;
    /** Which chunks hold each large file, for the next backup. */
    private final FileChunkRecorder files;
    /** The backup this one takes unchanged files from; null when there is none. */
    private final String previous;
    /** How the store's chunks are cut: fixed when the store was created. */
    private final FastCdc chunker;
    private long added, taken;
    private long chunks, chunkBytes, uploadedChunks, uploadedBytes, unchangedFiles, unchangedBytes;

    /** A chunk the bucket has ({@code sealed} null), or a new one sealed and still to be placed in a pack. */
    private record Stored(ChunkRef chunk, byte[] sealed) {
    }

    ChunkedArchive(ChunkStore store, String source, String backupId, OutputStream list, ChunkSeal seal, ExecutorService pool,
                   int window, ExecutorService packUploads, int maxPacksInFlight) throws SQLException {
        this.store = store;
        this.source = source;
        this.backupId = backupId;
        this.list = list;
        this.seal = seal;
        this.pool = pool;
        this.window = window;
        this.packs = new PackWriter(store, source, backupId, packUploads, maxPacksInFlight);
        this.files = new FileChunkRecorder(store.unchangedFiles(), backupId);
        this.hold = store.index().holdForBackup(source);
        try {
            store.recovery().recoverIfEmpty(source, seal); // a lost index is rebuilt from the bucket, not uploaded again
            this.chunker = store.index().chunkerOf(source, FastCdc.CURRENT);
            // unchanged files are taken only from a backup whose chunk ids were made the same way (same key, or none)
            this.previous = store.unchangedFiles().previousBackup(source, seal.keyId()).orElse(null);
            this.sparse = previous == null ? new HashSet<>() : store.index().sparsePacks(source, previous);
        } catch (SQLException | RuntimeException e) {
            hold.close();
            throw e;
        }
    }

    @Override
    public FastCdc chunker() {
        return chunker;
    }

    /**
     * The chunks of {@code path} in the previous backup, when its identity (size, mtime, ctime, inode) is the same
     * now and every one of those chunks is still stored, none in a sparse pack; else null (the file is read and
     * chunked, and its chunks in sparse packs copied forward).
     */
    @Override
    public List<ChunkRef> unchanged(String path, FileIdentity identity) throws IOException {
        if (previous == null) {
            return null;
        }
        try {
            List<ChunkRef> refs = store.unchangedFiles().lookup(source, previous, path, identity).orElse(null);
            return refs == null || refs.stream().anyMatch(ref -> sparse.contains(ref.pack())) ? null : refs;
        } catch (SQLException e) {
            throw new IOException("cannot look up the previous backup's chunks of " + path + ": " + e.getMessage(), e);
        }
    }

    /** A large file's content starts with the next chunk ({@code identity} null: not remembered). */
    @Override
    public void beginFile(String path, FileIdentity identity) {
        if (identity != null) {
            files.begin(path, identity, added);
        }
    }

    /** The file begun last ends with the chunk added last. */
    @Override
    public void endFile() {
        files.endAt(added);
    }

    /** An unchanged file: its stored chunks join the list as they are, and it is remembered again. */
    @Override
    public void addUnchanged(String path, FileIdentity identity, List<ChunkRef> refs) throws IOException {
        files.begin(path, identity, added);
        for (ChunkRef ref : refs) {
            pending.add(CompletableFuture.completedFuture(new Stored(ref, null)));
            added++;
        }
        files.endAt(added);
        unchangedFiles++;
        unchangedBytes += identity.size();
        while (pending.size() > window) {
            take();
        }
    }

    /** Stores one chunk (in the background); blocks while {@code window} chunks are still in flight. */
    @Override
    public void add(byte[] bytes) throws IOException {
        pending.add(pool.submit(() -> store(bytes)));
        added++;
        while (pending.size() > window) {
            take();
        }
    }

    /**
     * Hashes a chunk, and compresses and seals it when the bucket does not have it. It is placed in a pack later, by
     * {@link #take}, in list order: chunks that follow each other in the list then follow each other in their pack,
     * and a restore fetches a pack's worth with one ranged GET. (Placed here, in the order the workers finished, they
     * came out shuffled, and a restore made a GET for almost every chunk.)
     */
    private Stored store(byte[] bytes) throws IOException, SQLException {
        String id = seal.id(bytes);
        ChunkRef placed = packs.placed(id);
        if (placed != null) {
            return new Stored(placed, null);
        }
        var known = store.index().find(source, id);
        if (known.isPresent() && !sparse.contains(known.get().pack())) {
            return new Stored(known.get(), null);
        }
        byte[] compressed = compress(bytes);
        boolean raw = compressed.length >= bytes.length * STORE_RAW_ABOVE;
        byte[] sealed = seal.seal(id, raw ? bytes : compressed);
        return new Stored(new ChunkRef(id, bytes.length, sealed.length, raw ? ChunkRef.Codec.raw : ChunkRef.Codec.zstd), sealed);
    }

    /** Where a taken chunk is: a new one is placed in the pack being filled, unless this backup placed it already. */
    private ChunkRef place(Stored stored) throws IOException {
        if (stored.sealed() == null) {
            return stored.chunk();
        }
        ChunkRef placed = packs.placed(stored.chunk().id()); // the same bytes twice among the chunks in flight
        if (placed != null) {
            return placed;
        }
        try {
            placed = packs.place(stored.chunk(), stored.sealed());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while storing packs", e);
        }
        uploadedChunks++;
        uploadedBytes += placed.storedSize();
        return placed;
    }

    /** Dense data (float vectors) at zstd's cheapest level: most of what it saves for a fraction of the CPU. */
    private byte[] compress(byte[] bytes) {
        int level = store.isDense(bytes) ? 1 : store.level();
        return Zstd.compress(bytes, level);
    }

    private void take() throws IOException {
        Stored stored;
        try {
            stored = pending.remove().get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            throw cause instanceof IOException io ? io : new IOException("cannot store a chunk: " + cause.getMessage(), cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while storing chunks", e);
        }
        ChunkRef chunk = place(stored);
        list.write(chunk.line().getBytes(StandardCharsets.US_ASCII));
        chunks++;
        chunkBytes += chunk.storedSize();
        if (chunk.pack() == null) {
            references.add(chunk.id());
        } else {
            packUse.merge(chunk.pack(), (long) chunk.storedSize(), Long::sum);
        }
        if (references.size() + packUse.size() >= 1000) {
            flushReferences();
        }
        packs.checkUploads();
        files.taken(taken++, chunk.id());
    }

    private void flushReferences() throws IOException {
        try {
            store.index().referenced(source, backupId, references, packUse);
        } catch (SQLException e) {
            throw new IOException("cannot record the backup's chunks: " + e.getMessage(), e);
        }
        references.clear();
        packUse.clear();
    }

    /**
     * Waits for every chunk, writes the last list lines, stores the last pack and waits for every pack to be
     * stored and indexed; what the manifest records. The list stays open.
     */
    public ChunkedData finish() throws IOException {
        while (!pending.isEmpty()) {
            take();
        }
        packs.flush();
        flushReferences();
        files.flush();
        return new ChunkedData(store.bucket().chunkStore(source), chunks, chunkBytes, uploadedChunks, uploadedBytes,
                unchangedFiles, unchangedBytes, chunker.version);
    }

    /**
     * Releases the chunk store. After a failure, chunks still in flight are cancelled and the packs being uploaded
     * are waited for, so none lands after the store is released (a sweep then deletes them, their rows being
     * recorded before their upload).
     */
    @Override
    public void close() {
        pending.forEach(f -> f.cancel(true));
        pending.clear();
        try {
            packs.close();
        } finally {
            hold.close();
        }
    }
}

package io.lifeboat.restore.restore;

import io.lifeboat.bucket.chunk.ChunkRef;
import io.lifeboat.bucket.chunk.ChunkSeal;
import io.lifeboat.events.storage.BackupManifest;
import io.lifeboat.restore.storage.BackupDownloads;
import io.lifeboat.restore.storage.Decryption;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A chunked backup's archive: its chunk list is read (and hashed) line by line, the chunks are fetched several at
 * once ahead of the extraction, and each is checked against its id (its bytes' SHA-256) before a byte of it is
 * handed on. Chunks that follow each other in a pack are fetched as one run, with one ranged GET; a chunk stored as
 * an object of its own (before packs) is a run by itself. {@link #verify()} then checks the rest: the list's hash and size against the authenticated manifest,
 * and the number of chunks. An encrypted backup's list is decrypted as it is read, and each chunk decrypted (its id
 * the associated data) before it is decompressed and checked against its keyed id ({@link ChunkSeal}).
 * <p>
 * A run need not be in pack order: backups made before backup-service placed chunks in list order hold a pack's
 * chunks in the order its workers finished, near each other but shuffled. Chunks that follow each other in the list
 * join a run while the span of the pack it covers stays at most twice the bytes they need, so such a backup is also
 * fetched about a pack per GET, not a GET per chunk.
 */
final class ChunkedDownload implements ArchiveDownload {

    private final BackupManifest manifest;
    private final BackupDownloads downloads;
    private final BackupDownloads.Download listObject;
    private final BufferedReader list;
    private final ChunkSeal seal;
    private final AtomicLong stored;
    private final AtomicLong listBytes = new AtomicLong();
    private final ArrayDeque<Run> ahead = new ArrayDeque<>();
    private final int window;
    private final Plain plain = new Plain();
    private long chunks;
    private boolean listDone;
    /** The list's next chunk, read while finding where a run ends. */
    private ChunkRef peeked;
    /** The checked chunks of the run being handed on, and the next one's index. */
    private byte[][] run = new byte[0][];
    private int inRun;

    /** Most stored bytes fetched with one request (a whole pack, at backup-service's 4 MiB packs); a few in flight. */
    private static final int MAX_RUN = 8 * 1024 * 1024;
    /** A run's span of its pack is at most this many times the bytes its chunks need (the rest is fetched for nothing). */
    private static final int MAX_SPAN_PER_NEEDED = 2;

    /** Chunks next to each other in one object, and their checked bytes once fetched. */
    private record Run(String key, ChunkRef first, Future<byte[][]> chunks) {
    }

    ChunkedDownload(BackupDownloads downloads, Decryption decryption, BackupManifest manifest, AtomicLong stored) throws IOException {
        this.manifest = manifest;
        this.downloads = downloads;
        this.stored = stored;
        this.seal = manifest.encryption() == null ? ChunkSeal.PLAIN : decryption.chunkSeal(manifest.encryption());
        this.listObject = downloads.open(manifest);
        InputStream listStored = new VerifiedDownload.Counting(new VerifiedDownload.Counting(listObject, listBytes), stored);
        this.list = new BufferedReader(new InputStreamReader(manifest.encryption() == null ? listStored
                : decryption.decrypting(listStored, manifest.backupId()), StandardCharsets.US_ASCII));
        this.window = Math.max(1, downloads.chunkConcurrency()) + 1;
    }

    @Override
    public InputStream plain() {
        return plain;
    }

    /** Keeps {@code window} runs in flight while the list has more. */
    private void fill() throws IOException {
        while (ahead.size() < window) {
            ChunkRef first = peeked != null ? peeked : nextInList();
            peeked = null;
            if (first == null) {
                return;
            }
            List<ChunkRef> run = new ArrayList<>();
            run.add(first);
            long from = first.offset();
            long to = first.offset() + first.storedSize();
            long needed = first.storedSize();
            while (first.pack() != null) {
                ChunkRef next = nextInList();
                if (next == null) {
                    break;
                }
                long spanFrom = Math.min(from, next.offset());
                long spanTo = Math.max(to, next.offset() + next.storedSize());
                if (!first.pack().equals(next.pack()) || spanTo - spanFrom > MAX_RUN
                        || spanTo - spanFrom > MAX_SPAN_PER_NEEDED * (needed + next.storedSize())) {
                    peeked = next;
                    break;
                }
                run.add(next);
                from = spanFrom;
                to = spanTo;
                needed += next.storedSize();
            }
            String key = first.key(manifest.chunks().store());
            long runFrom = from;
            // fetched, decompressed and hashed on a download thread, several runs at once
            ahead.add(new Run(key, first, first.pack() == null
                    ? downloads.fetch(key, first.storedSize(), stored -> checked(run, stored, first.offset()))
                    : downloads.fetchRange(key, from, Math.toIntExact(to - from), stored -> checked(run, stored, runFrom))));
        }
    }

    /** The list's next chunk; null after the last. */
    private ChunkRef nextInList() throws IOException {
        if (listDone) {
            return null;
        }
        String line = list.readLine();
        if (line == null) {
            listDone = true;
            return null;
        }
        chunks++;
        return ChunkRef.parse(line);
    }

    /** The chunks of a run from the stored bytes fetched from offset {@code from}, each checked against its id. */
    private byte[][] checked(List<ChunkRef> run, byte[] stored, long from) throws IOException {
        byte[][] bytes = new byte[run.size()][];
        for (int i = 0; i < bytes.length; i++) {
            ChunkRef chunk = run.get(i);
            bytes[i] = chunk.pack() == null ? chunk.decode(stored, seal) : chunk.decode(stored, Math.toIntExact(chunk.offset() - from), seal);
            this.stored.addAndGet(chunk.storedSize()); // progress counts the chunks' bytes, not the gaps fetched with them
        }
        return bytes;
    }

    /** The next chunk's bytes, checked; null after the last. */
    private byte[] next() throws IOException {
        while (inRun == run.length) {
            fill();
            Run next = ahead.poll();
            if (next == null) {
                return null;
            }
            try {
                run = next.chunks().get();
                inRun = 0;
            } catch (ExecutionException e) {
                if (e.getCause() instanceof IOException damaged) {
                    throw damaged;
                }
                throw new IOException("cannot fetch chunk " + next.first().id() + (next.first().pack() == null ? "" : " and the ones after it")
                        + " from " + next.key() + ": " + e.getCause().getMessage(), e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while fetching chunks", e);
            }
        }
        fill();
        byte[] chunk = run[inRun];
        run[inRun++] = null; // handed on: not kept beyond its use
        return chunk;
    }

    @Override
    public void verify() throws RestoreFailure, IOException {
        try {
            while (plain.skipChunk()) {
                // every chunk of the list is fetched and checked, also the ones after the archive's end
            }
        } catch (IOException damaged) {
            throw new RestoreFailure("download", damaged.getMessage() + ": the backup is damaged; the target was not touched", damaged);
        }
        String actual = listObject.hex();
        if (listBytes.get() != manifest.storedBytes()) {
            throw new RestoreFailure("download", "the chunk list has " + listBytes.get() + " bytes, the manifest says "
                    + manifest.storedBytes() + ": the backup is damaged; the target was not touched");
        }
        if (!actual.equals(manifest.sha256())) {
            throw new RestoreFailure("download", "checksum mismatch: the chunk list's sha256 is " + actual
                    + ", the manifest says " + manifest.sha256() + ": the backup is damaged; the target was not touched");
        }
        if (chunks != manifest.chunks().chunks()) {
            throw new RestoreFailure("download", "the chunk list names " + chunks + " chunks, the manifest says "
                    + manifest.chunks().chunks() + ": the backup is damaged; the target was not touched");
        }
    }

    @Override
    public RestoreFailure explain(String step, IOException readError) {
        try {
            verify();
        } catch (RestoreFailure checked) {
            return new RestoreFailure(step, checked.getMessage(), readError);
        } catch (IOException | RuntimeException ignored) {
            // the list could not be read to its end either; report the first error
        }
        return new RestoreFailure(step, "cannot read backup " + manifest.backupId() + ": " + readError.getMessage(), readError);
    }

    @Override
    public void close() throws IOException {
        ahead.forEach(r -> r.chunks().cancel(true));
        ahead.clear();
        list.close();
    }

    /** The archive: the checked chunks, one after another. */
    private final class Plain extends InputStream {
        private byte[] current = new byte[0];
        private int position;
        private boolean ended;

        private boolean load() throws IOException {
            while (!ended && position == current.length) {
                byte[] bytes = next();
                if (bytes == null) {
                    ended = true;
                } else {
                    current = bytes;
                    position = 0;
                }
            }
            return !ended;
        }

        /** Drops the rest of the current chunk and loads the next; false at the end. */
        boolean skipChunk() throws IOException {
            position = current.length;
            return load();
        }

        @Override
        public int read() throws IOException {
            return load() ? current[position++] & 0xff : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            if (!load()) {
                return -1;
            }
            int n = Math.min(len, current.length - position);
            System.arraycopy(current, position, b, off, n);
            position += n;
            return n;
        }
    }
}

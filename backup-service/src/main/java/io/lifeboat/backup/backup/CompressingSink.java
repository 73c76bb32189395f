package io.lifeboat.backup.backup;

import com.github.luben.zstd.ZstdOutputStream;
import io.lifeboat.backup.storage.ArchiveSink;

import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Where a source reader writes: zstd (multi-threaded), counting what passes (sizeBytes, progress).
 * <p>
 * Data that barely compresses (a vector store's float32 files shrink 8 % at level 3, for most of a directory
 * backup's CPU) goes after {@link #denseFromHere()}: that ends the zstd frame and starts the next one with a cheap
 * setting (level 1, a small hash table, long minimum matches), which keeps nearly all of that 8 % (zstd still
 * entropy-codes the bytes) for about a third of the CPU. Every frame records how it was made and zstd decoders read
 * concatenated frames, so a restore needs nothing new.
 */
final class CompressingSink extends ArchiveSink {

    private final ZstdOutputStream zstd;
    private final AtomicLong read;
    private boolean dense;

    CompressingSink(OutputStream stored, int level, int workers, AtomicLong read) throws IOException {
        this.zstd = new ZstdOutputStream(stored, level);
        if (workers > 0) {
            zstd.setWorkers(workers);
        }
        zstd.setCloseFrameOnFlush(true); // frames end only where this class flushes: flush() is not passed on
        this.read = read;
    }

    @Override
    public void denseFromHere() throws IOException {
        if (dense) {
            return;
        }
        zstd.flush(); // ends the frame: its parameters can change only between frames
        zstd.setLevel(1);
        zstd.setHashLog(12);
        zstd.setMinMatch(7);
        dense = true;
    }

    @Override
    public void write(int b) throws IOException {
        zstd.write(b);
        read.incrementAndGet();
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        zstd.write(b, off, len);
        read.addAndGet(len);
    }

    /** Not passed on: a flush would end a zstd frame (and cost ratio) wherever a writer happens to flush. */
    @Override
    public void flush() {
    }

    /** Ends the last frame and closes the stored stream (the encryption's last segment; the upload stays open). */
    @Override
    public void close() throws IOException {
        zstd.close();
    }
}

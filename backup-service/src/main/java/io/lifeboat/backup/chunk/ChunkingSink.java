package io.lifeboat.backup.chunk;

import io.lifeboat.backup.storage.ArchiveSink;

import java.io.IOException;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;

/** Cuts the archive written to it into content-defined chunks ({@link FastCdc}) and hands each to a {@link ChunkedArchive}. */
public final class ChunkingSink extends ArchiveSink {

    private final ChunkedArchive archive;
    private final AtomicLong read;
    private final byte[] buffer = new byte[FastCdc.MAX];
    private int length;
    private boolean closed;

    public ChunkingSink(ChunkedArchive archive, AtomicLong read) {
        this.archive = archive;
        this.read = read;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[]{(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        if (closed) {
            throw new IOException("the chunked archive is closed");
        }
        read.addAndGet(len);
        while (len > 0) {
            int n = Math.min(len, buffer.length - length);
            System.arraycopy(b, off, buffer, length, n);
            length += n;
            off += n;
            len -= n;
            if (length == buffer.length) {
                emit();
            }
        }
    }

    private void emit() throws IOException {
        int cut = FastCdc.cut(buffer, length);
        archive.add(Arrays.copyOf(buffer, cut));
        System.arraycopy(buffer, cut, buffer, 0, length - cut);
        length -= cut;
    }

    /** Cuts what is left into its last chunks; the archive itself is finished by its owner. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        while (length > 0) {
            emit();
        }
    }
}

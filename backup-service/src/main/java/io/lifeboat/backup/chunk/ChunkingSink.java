package io.lifeboat.backup.chunk;

import io.lifeboat.backup.storage.ArchiveSink;
import io.lifeboat.backup.storage.FileIdentity;
import io.lifeboat.bucket.chunk.ChunkRef;
import org.apache.commons.compress.archivers.tar.TarConstants;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Cuts the archive written to it into content-defined chunks ({@link FastCdc}) and hands each to a
 * {@link ChunkedArchive}. A large file's content gets chunks of its own (cut where it starts and ends), so that the
 * next backup can take an unchanged file's chunks without reading it: it then writes zeros in its place, which are
 * not stored.
 */
public final class ChunkingSink extends ArchiveSink {

    private final ChunkedArchive archive;
    private final AtomicLong read;
    private final byte[] buffer = new byte[FastCdc.MAX];
    private int length;
    private boolean closed;
    /** Bytes received: the tar stream's offset. */
    private long offset;
    /** Content bytes of the current large file still to come; the chunk they end in is cut there. */
    private long contentLeft;
    /** Zero bytes standing in for an unchanged file's content: its stored chunks are used instead. */
    private long zerosLeft;
    private String heldPath;
    private List<ChunkRef> heldChunks;

    public ChunkingSink(ChunkedArchive archive, AtomicLong read) {
        this.archive = archive;
        this.read = read;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[]{(byte) b}, 0, 1);
    }

    @Override
    public boolean holds(String path, FileIdentity identity) throws IOException {
        List<ChunkRef> refs = archive.unchanged(path, identity);
        heldPath = refs == null ? null : path;
        heldChunks = refs;
        return refs != null;
    }

    /** A large file's content is chunked on its own (cut before and after it), so an unchanged one can be reused. */
    @Override
    public void contentFollows(String path, FileIdentity identity, long size) throws IOException {
        if (offset % TarConstants.DEFAULT_RCDSIZE != 0) {
            throw new IOException("the tar header of " + path + " did not reach the chunker whole (offset " + offset + ")");
        }
        cut();
        if (path.equals(heldPath)) {
            archive.addUnchanged(path, identity, heldChunks);
            zerosLeft = size;
        } else {
            archive.beginFile(path, identity);
            contentLeft = size;
            if (size == 0) {
                archive.endFile();
            }
        }
        heldPath = null;
        heldChunks = null;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        if (closed) {
            throw new IOException("the chunked archive is closed");
        }
        read.addAndGet(len);
        offset += len;
        while (len > 0) {
            if (zerosLeft > 0) {
                int n = (int) Math.min(len, zerosLeft);
                zerosLeft -= n;
                off += n;
                len -= n;
                continue;
            }
            int n = contentLeft > 0 ? (int) Math.min(len, contentLeft) : len;
            append(b, off, n);
            off += n;
            len -= n;
            if (contentLeft > 0) {
                contentLeft -= n;
                if (contentLeft == 0) {
                    cut();
                    archive.endFile();
                }
            }
        }
    }

    private void append(byte[] b, int off, int len) throws IOException {
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

    /** Ends the current chunk here, whatever its size. */
    private void cut() throws IOException {
        if (length > 0) {
            archive.add(Arrays.copyOf(buffer, length));
            length = 0;
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

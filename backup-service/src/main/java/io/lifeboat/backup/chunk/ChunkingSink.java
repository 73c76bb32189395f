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
 * Cuts the archive written to it into content-defined chunks ({@link FastCdc}, the version of the chunk store) and hands each to a
 * {@link ChunkedArchive}. A large file's content gets chunks of its own (cut where it starts and ends), so that the
 * next backup can take an unchanged file's chunks without reading it: it then writes zeros in its place, which are
 * not stored.
 */
public final class ChunkingSink extends ArchiveSink {

    private final ChunkReceiver archive;
    private final FastCdc chunker;
    private final AtomicLong read;
    /**
     * Bytes not yet in a chunk are {@code buffer[start..end)}. Up to twice the largest chunk: a chunk is cut once a
     * whole largest chunk's worth is there (so cuts do not depend on how the bytes arrived), and the rest moves to the
     * front only when the end is reached, about once per 8 MiB, instead of after every chunk. It grows to that size
     * as bytes come: a backup that reads little (an unchanged store) does not take 16 MiB.
     */
    private byte[] buffer = new byte[1024 * 1024];
    private int start;
    private int end;
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
        this((ChunkReceiver) archive, read);
    }

    ChunkingSink(ChunkReceiver archive, AtomicLong read) {
        this.archive = archive;
        this.chunker = archive.chunker();
        this.read = read;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[]{(byte) b}, 0, 1);
    }

    @Override
    public long held(String path, FileIdentity identity) throws IOException {
        List<ChunkRef> refs = archive.unchanged(path, identity);
        heldPath = refs == null ? null : path;
        heldChunks = refs;
        return refs == null ? -1 : refs.stream().mapToLong(ChunkRef::size).sum();
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
            if (end == buffer.length) {
                System.arraycopy(buffer, start, buffer, 0, end - start);
                end -= start;
                start = 0;
                if (end == buffer.length) {
                    buffer = Arrays.copyOf(buffer, Math.min(2 * FastCdc.MAX, buffer.length * 2));
                }
            }
            int n = Math.min(len, buffer.length - end);
            System.arraycopy(b, off, buffer, end, n);
            end += n;
            off += n;
            len -= n;
            while (end - start >= FastCdc.MAX) {
                emit();
            }
        }
    }

    /**
     * Ends a chunk here: what is left before this point is cut as the end of a stream is, so a run of small files
     * before a large one is still several content-defined chunks, not one chunk of up to 8 MiB that any change to
     * one of them would store again.
     */
    private void cut() throws IOException {
        while (end > start) {
            emit();
        }
        start = 0;
        end = 0;
    }

    private void emit() throws IOException {
        int cut = chunker.cut(buffer, start, end - start);
        archive.add(Arrays.copyOfRange(buffer, start, start + cut));
        start += cut;
    }

    /** Cuts what is left into its last chunks; the archive itself is finished by its owner. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        while (end > start) {
            emit();
        }
    }
}

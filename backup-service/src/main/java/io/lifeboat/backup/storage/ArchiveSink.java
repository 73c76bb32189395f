package io.lifeboat.backup.storage;

import com.github.luben.zstd.Zstd;

import java.io.IOException;
import java.io.OutputStream;

/**
 * Where a source reader writes its archive: compressed into one object, or cut into chunks. A reader that knows
 * the rest of what it writes barely compresses says so ({@link #denseFromHere}).
 */
public abstract class ArchiveSink extends OutputStream {

    /** Below this a sample is "dense": zstd level 1 saves less than 15 % of it. */
    private static final double DENSE_RATIO = 0.85;

    /** Whether {@code sample} (the start of a file or chunk) compresses so little that it is dense data. */
    public static boolean isDense(byte[] sample, int length) {
        if (length < 4096) {
            return false;
        }
        byte[] compressed = new byte[(int) Zstd.compressBound(length)];
        long size = Zstd.compressByteArray(compressed, 0, compressed.length, sample, 0, length, 1);
        return !Zstd.isError(size) && size > length * DENSE_RATIO;
    }

    /**
     * Whether the sink already holds the content of the regular file {@code path} as it is now ({@code identity}
     * unchanged since the last backup). Then the caller writes its tar header, calls {@link #contentFollows} and
     * writes {@code identity.size()} zero bytes in place of the content, which the sink does not store. Default: no.
     */
    public boolean holds(String path, FileIdentity identity) throws IOException {
        return false;
    }

    /**
     * The next {@code size} bytes are the content of {@code path}, whose tar header was written just before
     * ({@code identity} null: a snapshot, never reused).
     */
    public void contentFollows(String path, FileIdentity identity, long size) throws IOException {
    }

    /** Everything written from now on is dense data (float vectors, compressed files); calling it again changes nothing. */
    public void denseFromHere() throws IOException {
    }
}

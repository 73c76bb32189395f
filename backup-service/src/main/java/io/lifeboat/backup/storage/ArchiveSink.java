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
     * The size of the content of {@code path} the sink already holds, stored when the file had {@code identity} (so
     * unchanged since the last backup), or -1 when it holds none. Then the caller writes its tar header, calls
     * {@link #contentFollows} and writes that many zero bytes in place of the content, which the sink does not
     * store. An identity of size -1 (a database snapshot's, whose size is known only once taken) matches the
     * content stored under it whatever its size. Default: none.
     */
    public long held(String path, FileIdentity identity) throws IOException {
        return -1;
    }

    /**
     * The next {@code size} bytes are the content of {@code path}, whose tar header was written just before
     * ({@code identity} null: never reused).
     */
    public void contentFollows(String path, FileIdentity identity, long size) throws IOException {
    }

    /** Everything written from now on is dense data (float vectors, compressed files); calling it again changes nothing. */
    public void denseFromHere() throws IOException {
    }
}

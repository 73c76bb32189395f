package io.lifeboat.backup.backup;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.atomic.AtomicLong;

/** Counts bytes passing through (source bytes read, for progress and the manifest's sizeBytes). */
final class CountingOutputStream extends FilterOutputStream {
    private final AtomicLong count;

    CountingOutputStream(OutputStream out, AtomicLong count) {
        super(out);
        this.count = count;
    }

    @Override
    public void write(int b) throws IOException {
        out.write(b);
        count.incrementAndGet();
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        out.write(b, off, len);
        count.addAndGet(len);
    }
}

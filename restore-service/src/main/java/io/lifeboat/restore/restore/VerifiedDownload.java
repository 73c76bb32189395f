package io.lifeboat.restore.restore;

import com.github.luben.zstd.ZstdInputStream;
import io.lifeboat.events.storage.BackupManifest;
import io.lifeboat.restore.storage.BackupDownloads;
import io.lifeboat.restore.storage.Decryption;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Reads a backup's data object as the plain archive: hashes and counts the stored bytes as they arrive, then
 * decrypts and decompresses. {@link #verify()} drains the object and compares the hash and size with the
 * manifest; callers only touch a target after it passes.
 */
final class VerifiedDownload implements ArchiveDownload {

    private final InputStream raw;
    private final BackupDownloads.Download object;
    private final AtomicLong stored;
    private final InputStream plain;
    private final BackupManifest manifest;

    VerifiedDownload(BackupDownloads downloads, Decryption decryption, BackupManifest manifest, AtomicLong stored) throws IOException {
        this.manifest = manifest;
        this.stored = stored;
        this.object = downloads.open(manifest);
        this.raw = new Counting(object, stored);
        InputStream decrypted = manifest.encryption() == null ? raw : decryption.decrypting(raw, manifest.backupId());
        this.plain = new ZstdInputStream(decrypted);
    }

    @Override
    public InputStream plain() {
        return plain;
    }

    /** Reads what is left of the object and checks it; throws naming the mismatch. */
    @Override
    public void verify() throws RestoreFailure, IOException {
        raw.transferTo(OutputStreamNull.INSTANCE);
        String actual = object.hex();
        if (stored.get() != manifest.storedBytes()) {
            throw new RestoreFailure("download", "the stored object has " + stored.get() + " bytes, the manifest says "
                    + manifest.storedBytes() + ": the backup is damaged; the target was not touched");
        }
        if (!actual.equals(manifest.sha256())) {
            throw new RestoreFailure("download", "checksum mismatch: the stored object's sha256 is " + actual
                    + ", the manifest says " + manifest.sha256() + ": the backup is damaged; the target was not touched");
        }
    }

    /**
     * After a read error (zstd or Tink noticing damage first), checks the stored bytes so the reason given is the
     * precise one: a checksum mismatch when the object differs from the manifest.
     */
    @Override
    public RestoreFailure explain(String step, IOException readError) {
        try {
            verify();
        } catch (RestoreFailure checksum) {
            return new RestoreFailure(step, checksum.getMessage(), readError);
        } catch (IOException | RuntimeException ignored) {
            // the object could not be read to its end either; report the first error
        }
        return new RestoreFailure(step, "cannot read backup " + manifest.backupId() + ": " + readError.getMessage(), readError);
    }

    @Override
    public void close() throws IOException {
        plain.close();
    }

    /** Counts the stored bytes as they pass (progress, and the size check). */
    static final class Counting extends FilterInputStream {
        private final AtomicLong count;

        Counting(InputStream in, AtomicLong count) {
            super(in);
            this.count = count;
        }

        @Override
        public int read() throws IOException {
            int b = in.read();
            if (b >= 0) {
                count.incrementAndGet();
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = in.read(b, off, len);
            if (n > 0) {
                count.addAndGet(n);
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            byte[] buffer = new byte[(int) Math.min(n, 8192)];
            int read = read(buffer, 0, buffer.length); // every stored byte is hashed, skipped or not
            return Math.max(read, 0);
        }
    }

    private static final class OutputStreamNull extends java.io.OutputStream {
        static final OutputStreamNull INSTANCE = new OutputStreamNull();

        @Override
        public void write(int b) {
        }

        @Override
        public void write(byte[] b, int off, int len) {
        }
    }
}

package io.lifeboat.restore.restore;

import io.lifeboat.events.storage.BackupManifest;
import io.lifeboat.restore.storage.BackupDownloads;
import io.lifeboat.restore.storage.Decryption;

import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A backup's archive being downloaded: {@link #plain()} is the archive; {@link #verify()} checks everything that
 * was stored against the manifest. Callers touch a target only after it passes.
 */
interface ArchiveDownload extends AutoCloseable {

    /** The download of {@code manifest}'s archive, counting the stored bytes fetched into {@code stored}. */
    static ArchiveDownload open(BackupDownloads downloads, Decryption decryption, BackupManifest manifest, AtomicLong stored)
            throws IOException {
        return manifest.chunks() != null ? new ChunkedDownload(downloads, decryption, manifest, stored)
                : new VerifiedDownload(downloads, decryption, manifest, stored);
    }

    InputStream plain();

    /** Reads what is left and checks it; throws naming the mismatch. */
    void verify() throws RestoreFailure, IOException;

    /** After a read error, the precise reason: a checksum mismatch when the stored data differs from the manifest. */
    RestoreFailure explain(String step, IOException readError);

    @Override
    void close() throws IOException;
}

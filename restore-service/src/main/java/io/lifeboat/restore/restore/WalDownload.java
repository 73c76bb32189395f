package io.lifeboat.restore.restore;

import com.github.luben.zstd.Zstd;
import io.lifeboat.bucket.wal.DamagedWal;
import io.lifeboat.bucket.wal.Lsn;
import io.lifeboat.bucket.wal.RecoveryWindow;
import io.lifeboat.bucket.wal.WalArchive;
import io.lifeboat.restore.storage.Decryption;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Fetches the WAL a recovery needs into a folder, every object checked before it is used (its header's MAC, its
 * payload's sha256), then decrypted and decompressed; the partial segment is padded to a whole one, as recovery
 * expects. Segments are taken in chain order until one covers the target instant (all of them for the newest).
 */
final class WalDownload {

    private WalDownload() {
    }

    /** What was fetched: the segment files in chain order, their stored bytes, and how far they reach. */
    record Fetched(List<String> names, long storedBytes, Instant coveredUntil) {
        int segments() {
            return names.size();
        }
    }

    static Fetched fetch(WalArchive archive, Decryption decryption, RecoveryWindow.Plan plan, Instant target, Path into,
                         AtomicLong downloaded) throws RestoreFailure, IOException {
        Files.createDirectories(into);
        for (WalArchive.Entry history : plan.histories()) {
            write(archive, decryption, history, into, downloaded, false);
        }
        long consistent = Lsn.segmentOf(Lsn.parse(plan.base().physical().stopLsn()), Lsn.DEFAULT_SEGMENT_SIZE);
        int count = 0;
        List<String> names = new java.util.ArrayList<>();
        long bytes = 0;
        Instant covered = null;
        boolean whole = true;
        for (WalArchive.Entry segment : plan.segments()) {
            WalArchive.Stored stored = write(archive, decryption, segment, into, downloaded, segment.partial());
            count++;
            names.add(segment.name());
            bytes += stored.header().storedBytes();
            if (stored.header().coveredUntil() != null) {
                covered = stored.header().coveredUntil();
            }
            boolean pastConsistency = Lsn.segmentNumber(segment.name(), Lsn.DEFAULT_SEGMENT_SIZE) >= consistent;
            if (target != null && pastConsistency && covered != null && !covered.isBefore(target)) {
                whole = count == plan.segments().size();
                break; // every transaction committed before the target is in what was fetched
            }
        }
        if (whole && (covered == null || plan.range().to().isAfter(covered))) {
            // the whole chain: it reaches as far as the window says (the coverage marker of an idle source moves on
            // while its last segment stays as it was)
            covered = plan.range().to();
        }
        return new Fetched(names, bytes, covered);
    }

    private static WalArchive.Stored write(WalArchive archive, Decryption decryption, WalArchive.Entry entry, Path into,
                                           AtomicLong downloaded, boolean pad) throws RestoreFailure, IOException {
        WalArchive.Stored stored;
        try {
            stored = archive.read(entry.key());
        } catch (DamagedWal e) {
            throw new RestoreFailure("download-wal", e.getMessage() + "; recovery did not start, the target was not touched");
        }
        downloaded.addAndGet(stored.header().storedBytes());
        InputStream payload = new ByteArrayInputStream(stored.payload());
        if (stored.header().encryption() != null) {
            payload = decryption.decrypting(payload, WalArchive.associatedData(stored.header().source(), stored.header().name()));
        }
        byte[] content = payload.readAllBytes();
        byte[] plain = "none".equals(stored.header().compression()) ? content
                : Zstd.decompress(content, (int) stored.header().plainBytes());
        if (plain.length != stored.header().plainBytes()) {
            throw new RestoreFailure("download-wal", "WAL object " + entry.key() + " decompressed to " + plain.length
                    + " bytes, its header says " + stored.header().plainBytes());
        }
        if (pad && plain.length < Lsn.DEFAULT_SEGMENT_SIZE) {
            plain = Arrays.copyOf(plain, (int) Lsn.DEFAULT_SEGMENT_SIZE); // the unwritten rest of a segment is zeros
        }
        Files.write(into.resolve(entry.name()), plain);
        return stored;
    }
}

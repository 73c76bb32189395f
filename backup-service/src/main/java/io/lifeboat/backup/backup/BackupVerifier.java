package io.lifeboat.backup.backup;

import io.lifeboat.backup.chunk.ChunkIndex;
import io.lifeboat.backup.chunk.ChunkListReader;
import io.lifeboat.backup.crypto.BackupEncryption;
import io.lifeboat.bucket.chunk.ChunkRef;
import io.lifeboat.bucket.chunk.ChunkSeal;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import java.io.IOException;

import io.lifeboat.http.ApiException;
import io.lifeboat.bucket.BackupBucket;
import io.lifeboat.bucket.StoredObjectDigest;
import io.lifeboat.bucket.UntrustedManifest;
import io.lifeboat.events.backup.BackupVerified;
import io.lifeboat.events.storage.BackupManifest;
import io.lifeboat.outbox.Outbox;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.io.InputStream;
import java.time.Instant;
import java.util.Optional;

/**
 * Re-reads a stored backup and checks it against its manifest: the manifest exists and names the same object,
 * and the object's SHA-256 and size equal the manifest's. Daily, the newest backup of every source is verified
 * and the bucket's reachability recorded (the runbook's monthly "verify S3 backups are accessible").
 */
@ApplicationScoped
public class BackupVerifier {

    private static final Logger LOG = Logger.getLogger(BackupVerifier.class);

    private final BackupBucket bucket;
    private final Outbox outbox;
    private final BackupService backups;
    private final ChunkIndex chunkIndex;
    private final BackupEncryption encryption;

    public BackupVerifier(BackupBucket bucket, Outbox outbox, BackupService backups, ChunkIndex chunkIndex,
                          BackupEncryption encryption) {
        this.chunkIndex = chunkIndex;
        this.encryption = encryption;
        this.bucket = bucket;
        this.outbox = outbox;
        this.backups = backups;
    }

    public record Result(String backupId, boolean ok, String detail, boolean bucketReachable, Instant verifiedAt) {
    }

    public Result verify(String backupId, String actor) {
        Backup b = QuarkusTransaction.requiringNew().call(() -> backups.get(backupId));
        if (b.phase != BackupPhase.Completed || b.expiredAt != null) {
            throw ApiException.conflict("backup " + backupId + " is " + (b.expiredAt != null ? "expired" : b.phase)
                    + "; only Completed backups can be verified");
        }
        boolean reachable = bucket.reachable();
        String detail;
        boolean ok = false;
        if (!reachable) {
            detail = "bucket " + bucket.name() + " is not reachable";
        } else {
            try {
                detail = check(b);
                ok = detail == null;
                if (ok) {
                    detail = b.uploadedBytes == null ? "sha256 and size match the manifest (" + b.storedBytes + " bytes)"
                            : "the chunk list's sha256 and size match the manifest, and its chunks are there (those this "
                            + "backup uploaded, " + b.uploadedBytes + " bytes, read back and hashed)";
                } else {
                    // the bucket answered and the backup is definitely not what was stored: never restore from it
                    takeOutOfCatalogue(b);
                    detail += "; the backup was taken out of the catalogue (its manifest moved to manifest.damaged.json)";
                }
            } catch (Exception e) {
                detail = "cannot read the backup: " + e.getMessage();
            }
        }
        Result result = new Result(backupId, ok, detail, reachable, Instant.now());
        QuarkusTransaction.requiringNew().run(() -> {
            Backup row = Backup.findById(backupId);
            row.verifiedAt = result.verifiedAt();
            row.verifiedOk = result.ok();
            row.verifyDetail = result.detail();
            outbox.append(actor, new BackupVerified(row.id, row.source, result.ok(), result.detail(), result.bucketReachable(),
                    result.verifiedAt()));
        });
        return result;
    }

    private void takeOutOfCatalogue(Backup b) {
        try {
            if (bucket.exists(b.manifestKey)) {
                bucket.quarantine(b.manifestKey);
            }
        } catch (RuntimeException e) {
            LOG.errorf("backup %s failed verification but its manifest could not be moved aside: %s", b.id, e.getMessage());
        }
    }

    /** null when the backup is intact, else what is wrong. */
    private String check(Backup b) throws Exception {
        Optional<BackupManifest> manifest;
        try {
            manifest = bucket.manifest(b.manifestKey);
        } catch (UntrustedManifest e) {
            return e.getMessage();
        }
        if (manifest.isEmpty()) {
            return "manifest " + b.manifestKey + " is missing: this is not a restorable backup";
        }
        BackupManifest m = manifest.get();
        if (!m.backupId().equals(b.id) || !m.objectKey().equals(b.objectKey)) {
            return "manifest " + b.manifestKey + " describes " + m.backupId() + ", not " + b.id;
        }
        if (!m.sha256().equals(b.sha256)) {
            return "manifest sha256 " + m.sha256() + " differs from the catalogue's " + b.sha256;
        }
        StoredObjectDigest digest = new StoredObjectDigest(m.partBytes());
        long size = 0;
        try (InputStream in = bucket.read(b.objectKey)) {
            byte[] buf = new byte[1 << 20];
            int n;
            while ((n = in.read(buf)) > 0) {
                digest.update(buf, 0, n);
                size += n;
            }
        }
        String actual = digest.hex();
        if (size != m.storedBytes()) {
            return "object holds " + size + " bytes, the manifest says " + m.storedBytes();
        }
        if (!actual.equals(m.sha256())) {
            return "object sha256 " + actual + " differs from the manifest's " + m.sha256() + ": the stored data is damaged";
        }
        return m.chunks() == null ? null : checkChunks(b, m);
    }

    /**
     * A chunked backup's chunks: the ones it uploaded are read back (a pack at a time) and must decompress to their
     * hash; the ones it reused (read back when the backup that uploaded them was verified) must still be there: their
     * pack or object, large enough to hold them.
     */
    private String checkChunks(Backup b, BackupManifest m) throws Exception {
        String store = m.chunks().store();
        long count = 0;
        ChunkSeal seal = m.encryption() == null ? ChunkSeal.PLAIN : encryption.chunkSeal(m.encryption().keyId());
        InputStream listObject = bucket.read(b.objectKey);
        InputStream plain = m.encryption() == null ? listObject : encryption.decrypting(listObject, b.id);
        try (ChunkListReader list = new ChunkListReader(bucket, store, plain)) {
            for (ChunkListReader.Listed listed; (listed = list.next()) != null; ) {
                ChunkRef chunk = listed.chunk();
                if (listed.objectSize() == null) {
                    return missing(b, chunk, "chunk " + chunk.id() + " is missing: " + listed.key() + " is not in the bucket");
                }
                if (!listed.stored()) {
                    return unusable(b, chunk, "chunk " + chunk.id() + ": " + listed.key() + " holds " + listed.objectSize()
                            + " bytes, the chunk list names " + chunk.storedSize() + " at offset " + chunk.offset());
                }
            }
            count = list.count();
        }
        if (count != m.chunks().chunks()) {
            return "the chunk list names " + count + " chunks, the manifest says " + m.chunks().chunks();
        }
        // the chunks this backup uploaded are read back (streamed from the index, pack by pack: memory stays flat)
        ReadBack readBack = new ReadBack();
        return chunkIndex.firstStoredBy(b.source, b.id, chunk -> {
            String key = chunk.key(store);
            byte[] held = readBack.of(key);
            if (held == null) {
                return missing(b, chunk, "chunk " + chunk.id() + " is missing: " + key + " is not in the bucket");
            }
            if (chunk.offset() + chunk.storedSize() > held.length) {
                return unusable(b, chunk, "chunk " + chunk.id() + " is missing: " + key + " ends before it");
            }
            try {
                chunk.decode(held, (int) chunk.offset(), seal);
                return null;
            } catch (IOException damaged) {
                return unusable(b, chunk, damaged.getMessage() + ": the stored data is damaged");
            }
        });
    }

    /** The pack (or chunk object) read back last: the index yields a pack's chunks one after another, so each is fetched once. */
    private final class ReadBack {
        private String key;
        private byte[] bytes;

        /** The object's bytes, or null when it is not in the bucket. */
        byte[] of(String key) {
            if (!key.equals(this.key)) {
                this.key = key;
                try {
                    bytes = bucket.client().getObjectAsBytes(g -> g.bucket(bucket.name()).key(key)).asByteArray();
                } catch (NoSuchKeyException e) {
                    bytes = null;
                }
            }
            return bytes;
        }
    }

    /** A chunk whose pack (or object) is gone: every chunk of that pack leaves the index, so the next backup stores them again. */
    private String missing(Backup b, ChunkRef chunk, String problem) {
        if (chunk.pack() == null) {
            return unusable(b, chunk, problem);
        }
        try {
            chunkIndex.forgetPack(b.source, chunk.pack());
            return problem + " (the next backup of " + b.source + " stores its chunks again)";
        } catch (java.sql.SQLException e) {
            return problem;
        }
    }

    /** A chunk that cannot be used leaves the index, so the next backup with its bytes stores it again. */
    private String unusable(Backup b, ChunkRef chunk, String problem) {
        try {
            chunkIndex.forget(b.source, chunk.id());
            return problem + " (the next backup of " + b.source + " stores it again)";
        } catch (java.sql.SQLException e) {
            return problem;
        }
    }

    @Scheduled(cron = "${lifeboat.backup.verify-cron:0 30 3 * * ?}")
    void verifyNewest() {
        for (Backup b : QuarkusTransaction.requiringNew().call(backups::newestCompletedPerSource)) {
            try {
                Result r = verify(b.id, "schedule:daily-verify");
                if (!r.ok()) {
                    LOG.warnf("daily verification of %s failed: %s", b.id, r.detail());
                }
            } catch (RuntimeException e) {
                LOG.warnf("daily verification of %s could not run: %s", b.id, e.getMessage());
            }
        }
    }
}

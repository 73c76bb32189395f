package io.lifeboat.backup.chunk;

import io.lifeboat.backup.crypto.BackupEncryption;
import io.lifeboat.bucket.BackupBucket;
import io.lifeboat.bucket.StoredObjectDigest;
import io.lifeboat.bucket.chunk.ChunkRef;
import io.lifeboat.bucket.chunk.ChunkSeal;
import io.lifeboat.events.storage.BackupManifest;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import javax.sql.DataSource;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Rebuilds a source's chunk index from the bucket when the index holds nothing of it while the bucket holds its
 * chunked backups: backup-service lost its database, or was pointed at a new one. Without this the next backup would
 * upload the whole store again.
 * <p>
 * The newest backup in the bucket whose chunks were named as this backup names them (same key, or none) is read:
 * its manifest authenticated ({@link BackupBucket#manifests}), its chunk list streamed and checked against the
 * manifest's hash, size and chunk count. Each pack (or chunk of its own) the list points into that is in the bucket
 * and large enough is entered with its chunks, all in one transaction that commits only if the whole list checked
 * out. They are entered as referenced by that backup, which this database does not know and so never expires:
 * retention never sweeps those packs (as it never swept them while they were not in the index), so that backup,
 * still in the restore catalogue, stays whole. The next backup's verification still checks that every chunk it
 * reused is in the bucket.
 */
@ApplicationScoped
public class ChunkIndexRecovery {

    private static final Logger LOG = Logger.getLogger(ChunkIndexRecovery.class);
    private static final int BATCH = 500;

    private final DataSource db;
    private final BackupBucket bucket;
    private final BackupEncryption encryption;

    public ChunkIndexRecovery(DataSource db, BackupBucket bucket, BackupEncryption encryption) {
        this.db = db;
        this.bucket = bucket;
        this.encryption = encryption;
    }

    /** What was entered: from which backup, how many chunks, in how many packs. */
    private record Recovered(String fromBackup, long chunks, long packs) {
    }

    /**
     * Rebuilds the index of {@code source} if it holds no chunk of it, for a backup sealing its chunks with
     * {@code seal}. Never fails the backup: when the index cannot be rebuilt, the backup stores its chunks again.
     */
    void recoverIfEmpty(String source, ChunkSeal seal) {
        try {
            if (holdsChunksOf(source)) {
                return;
            }
            Optional<BackupManifest> newest = bucket.manifests(source).stream() // newest first
                    .filter(m -> m.chunks() != null && Objects.equals(m.encryption() == null ? null : m.encryption().keyId(), seal.keyId()))
                    .findFirst();
            if (newest.isEmpty()) {
                return;
            }
            Recovered recovered = enter(source, newest.get());
            LOG.infof("the chunk index held nothing of %s: %d chunks in %d packs taken from backup %s in the bucket (this "
                    + "database does not know that backup, so retention keeps its packs)", source, recovered.chunks(),
                    recovered.packs(), recovered.fromBackup());
        } catch (IOException | SQLException | RuntimeException e) {
            LOG.warnf("the chunk index holds nothing of %s and was not rebuilt from the bucket (%s): this backup stores "
                    + "every chunk again", source, e.getMessage());
        }
    }

    private boolean holdsChunksOf(String source) throws SQLException {
        try (Connection c = db.getConnection();
             PreparedStatement q = c.prepareStatement("SELECT 1 FROM chunk WHERE source = ? LIMIT 1")) {
            q.setString(1, source);
            try (ResultSet r = q.executeQuery()) {
                return r.next();
            }
        }
    }

    private Recovered enter(String source, BackupManifest m) throws IOException, SQLException {
        String store = m.chunks().store();
        String backupId = m.backupId();
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement chunk = c.prepareStatement(ChunkIndex.INSERT_CHUNK);
                 PreparedStatement pack = c.prepareStatement("INSERT INTO pack (source, id, stored_bytes, first_backup) "
                         + "VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING");
                 PreparedStatement packReference = c.prepareStatement("INSERT INTO backup_pack (backup_id, source, pack) "
                         + "VALUES (?, ?, ?) ON CONFLICT DO NOTHING");
                 PreparedStatement chunkReference = c.prepareStatement("INSERT INTO backup_chunk (backup_id, source, chunk_id) "
                         + "VALUES (?, ?, ?) ON CONFLICT DO NOTHING");
                 PreparedStatement chunker = c.prepareStatement("INSERT INTO chunk_store (source, chunker) VALUES (?, ?) "
                         + "ON CONFLICT (source) DO UPDATE SET chunker = EXCLUDED.chunker");
                 Digesting stored = new Digesting(bucket.read(m.objectKey()), m.partBytes());
                 ChunkListReader list = new ChunkListReader(bucket, store,
                         m.encryption() == null ? stored : encryption.decrypting(stored, backupId))) {
                List<PreparedStatement> batches = List.of(pack, packReference, chunk, chunkReference);
                long entered = 0, packs = 0;
                int batched = 0;
                for (ChunkListReader.Listed listed; (listed = list.next()) != null; ) {
                    ChunkRef ref = listed.chunk();
                    if (listed.newObject() && listed.objectSize() != null && ref.pack() != null) {
                        pack.setString(1, source);
                        pack.setString(2, ref.pack());
                        pack.setLong(3, listed.objectSize());
                        pack.setString(4, backupId);
                        pack.addBatch();
                        packReference.setString(1, backupId);
                        packReference.setString(2, source);
                        packReference.setString(3, ref.pack());
                        packReference.addBatch();
                    }
                    if (!listed.stored()) {
                        continue; // not in the bucket as the list says: a backup that has its bytes stores it again
                    }
                    ChunkIndex.addChunk(chunk, source, ref, backupId);
                    if (ref.pack() == null) {
                        chunkReference.setString(1, backupId);
                        chunkReference.setString(2, source);
                        chunkReference.setString(3, ref.id());
                        chunkReference.addBatch();
                    }
                    entered++;
                    if (++batched == BATCH) {
                        packs += run(batches);
                        batched = 0;
                    }
                }
                packs += run(batches);
                String actual = stored.digest.hex();
                if (stored.size != m.storedBytes() || !actual.equals(m.sha256()) || list.count() != m.chunks().chunks()) {
                    throw new IOException("the chunk list of backup " + backupId + " does not match its manifest ("
                            + stored.size + " bytes, sha256 " + actual + ", " + list.count() + " chunks; the manifest says "
                            + m.storedBytes() + ", " + m.sha256() + ", " + m.chunks().chunks() + "): nothing was taken from it");
                }
                // the chunks taken were cut as that backup's store cuts them: the next ones must be too
                chunker.setString(1, source);
                chunker.setInt(2, FastCdc.version(m.chunks().chunker()).version);
                chunker.executeUpdate();
                c.commit();
                return new Recovered(backupId, entered, packs);
            } catch (IOException | SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        }
    }

    /** Runs the batched inserts, packs first; returns how many pack rows were new. */
    private static long run(List<PreparedStatement> batches) throws SQLException {
        long newPacks = 0;
        for (int n : batches.get(0).executeBatch()) {
            newPacks += Math.max(n, 0);
        }
        for (PreparedStatement batch : batches.subList(1, batches.size())) {
            batch.executeBatch();
        }
        return newPacks;
    }

    /** The stored list as it streams by: its digest as the manifest records it, and its size. */
    private static final class Digesting extends FilterInputStream {
        final StoredObjectDigest digest;
        long size;

        Digesting(InputStream in, Long partBytes) {
            super(in);
            this.digest = new StoredObjectDigest(partBytes);
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = in.read(b, off, len);
            if (n > 0) {
                digest.update(b, off, n);
                size += n;
            }
            return n;
        }

        @Override
        public long skip(long n) {
            return 0; // every byte is read, and hashed
        }
    }
}

package io.lifeboat.backup.chunk;

import io.lifeboat.bucket.BackupBucket;
import io.lifeboat.bucket.chunk.ChunkRef;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;
import software.amazon.awssdk.services.s3.model.Delete;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Mark and sweep of a source's chunk store, after retention expired backups: the references of expired and failed
 * backups are dropped, then every pack no remaining backup's list points into is deleted, its index rows first (its
 * chunks' and its own, so no backup can count on it any more), then its object; chunks stored as objects of their
 * own (before packs) are swept the same way, chunk by chunk. A pack stays whole while any kept backup points into
 * it; once the backup that stored a pack has expired, backups stop pointing into it when the backup before them used
 * less than half of it (they store those chunks again, {@link ChunkIndex#sparsePacks}), so it goes once the older
 * backups expire. It runs only while no backup of the source runs (the exclusive side of {@link ChunkIndex}'s lock);
 * a chunk a running backup uploaded or reuses is therefore never swept. The candidates stream from PostgreSQL in
 * batches: memory stays flat in the store's size.
 */
@ApplicationScoped
public class ChunkSweep {

    private static final Logger LOG = Logger.getLogger(ChunkSweep.class);
    private static final int BATCH = 1000;

    private final ChunkIndex index;
    private final DataSource db;
    private final BackupBucket bucket;

    public ChunkSweep(ChunkIndex index, DataSource db, BackupBucket bucket) {
        this.index = index;
        this.db = db;
        this.bucket = bucket;
    }

    /** What one sweep did: packs deleted, chunks deleted (in those packs or on their own), their stored bytes. */
    public record Swept(long packs, long chunks, long storedBytes, boolean ran) {
    }

    public Swept sweep(String source) {
        try {
            Optional<ChunkStoreLock> hold = index.tryHoldForSweep(source);
            if (hold.isEmpty()) {
                LOG.infof("chunks of %s are not swept now: a backup of it is running (the next retention sweeps them)", source);
                return new Swept(0, 0, 0, false);
            }
            try (ChunkStoreLock held = hold.get()) {
                return sweep(source, held.connection());
            }
        } catch (SQLException | RuntimeException e) {
            LOG.warnf("chunk sweep of %s stopped: %s (what it did not delete stays, and is swept next time)", source, e.getMessage());
            return new Swept(0, 0, 0, false);
        }
    }

    private Swept sweep(String source, Connection lock) throws SQLException {
        try (PreparedStatement q = lock.prepareStatement("DELETE FROM backup_chunk r USING backup b WHERE r.backup_id = b.id "
                + "AND r.source = ? AND (b.expired_at IS NOT NULL OR b.phase = 'Failed')")) {
            q.setString(1, source);
            q.executeUpdate();
        }
        try (PreparedStatement q = lock.prepareStatement("DELETE FROM backup_pack r USING backup b WHERE r.backup_id = b.id "
                + "AND r.source = ? AND (b.expired_at IS NOT NULL OR b.phase = 'Failed')")) {
            q.setString(1, source);
            q.executeUpdate();
        }
        try (PreparedStatement q = lock.prepareStatement("DELETE FROM backup_file f USING backup b WHERE f.backup_id = b.id "
                + "AND b.source = ? AND (b.expired_at IS NOT NULL OR b.phase = 'Failed')")) {
            q.setString(1, source);
            q.executeUpdate();
        }
        long[] packs = sweepCandidates(source, lock, "SELECT p.id FROM pack p WHERE p.source = ? AND NOT EXISTS "
                + "(SELECT 1 FROM backup_pack r WHERE r.source = p.source AND r.pack = p.id)", this::deletePacks);
        long[] chunks = sweepCandidates(source, lock, "SELECT c.id FROM chunk c WHERE c.source = ? AND c.pack IS NULL "
                + "AND NOT EXISTS (SELECT 1 FROM backup_chunk r WHERE r.source = c.source AND r.chunk_id = c.id)", this::deleteChunks);
        if (packs[0] + chunks[0] > 0) {
            LOG.infof("swept %d packs (%d chunks) and %d chunks of their own, %d bytes, of %s that no kept backup references",
                    packs[0], packs[1], chunks[0], packs[2] + chunks[2], source);
        }
        return new Swept(packs[0], packs[1] + chunks[0], packs[2] + chunks[2], true);
    }

    /** Deletes a batch of candidates under the lock: returns {objects, chunks, stored bytes}. */
    @FunctionalInterface
    private interface Deletion {
        long[] delete(String source, List<String> ids, Connection lock) throws SQLException;
    }

    /** Streams the candidates of {@code query} in batches to {@code deletion}; returns the summed counts. */
    private long[] sweepCandidates(String source, Connection lock, String query, Deletion deletion) throws SQLException {
        long[] total = new long[3];
        try (Connection read = db.getConnection()) {
            read.setAutoCommit(false); // a cursor: candidates stream in batches
            try (PreparedStatement q = read.prepareStatement(query)) {
                q.setFetchSize(BATCH);
                q.setString(1, source);
                try (ResultSet r = q.executeQuery()) {
                    List<String> batch = new ArrayList<>(BATCH);
                    boolean more = r.next();
                    while (more) {
                        batch.add(r.getString(1));
                        more = r.next();
                        if (batch.size() == BATCH || !more) {
                            long[] done = deletion.delete(source, batch, lock);
                            for (int i = 0; i < total.length; i++) {
                                total[i] += done[i];
                            }
                            batch.clear();
                        }
                    }
                }
            } finally {
                read.rollback();
                read.setAutoCommit(true);
            }
        }
        return total;
    }

    /** Deletes packs' index rows (their chunks', then their own, if still unreferenced), then their objects. */
    private long[] deletePacks(String source, List<String> ids, Connection c) throws SQLException {
        List<String> packs = new ArrayList<>();
        long chunks, bytes = 0;
        c.setAutoCommit(false);
        try {
            try (PreparedStatement q = c.prepareStatement("DELETE FROM pack p WHERE p.source = ? AND p.id = ANY(?) AND NOT EXISTS "
                    + "(SELECT 1 FROM backup_pack r WHERE r.source = p.source AND r.pack = p.id) RETURNING p.id, p.stored_bytes")) {
                q.setString(1, source);
                q.setArray(2, c.createArrayOf("text", ids.toArray()));
                try (ResultSet r = q.executeQuery()) {
                    while (r.next()) {
                        packs.add(r.getString(1));
                        bytes += r.getLong(2);
                    }
                }
            }
            try (PreparedStatement q = c.prepareStatement("DELETE FROM chunk WHERE source = ? AND pack = ANY(?)")) {
                q.setString(1, source);
                q.setArray(2, c.createArrayOf("text", packs.toArray()));
                chunks = q.executeUpdate();
            }
            c.commit();
        } catch (SQLException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(true);
        }
        deleteObjects(packs.stream().map(p -> ObjectIdentifier.builder().key(ChunkRef.packKey(bucket.chunkStore(source), p)).build()).toList());
        return new long[]{packs.size(), chunks, bytes};
    }

    /** Deletes chunks of their own: index rows (if still unreferenced), then their objects. */
    private long[] deleteChunks(String source, List<String> ids, Connection c) throws SQLException {
        List<ObjectIdentifier> objects = new ArrayList<>();
        long bytes = 0;
        try (PreparedStatement q = c.prepareStatement("DELETE FROM chunk c WHERE c.source = ? AND c.id = ANY(?) AND NOT EXISTS "
                + "(SELECT 1 FROM backup_chunk r WHERE r.source = c.source AND r.chunk_id = c.id) RETURNING c.id, c.stored_size")) {
            q.setString(1, source);
            q.setArray(2, c.createArrayOf("text", ids.toArray()));
            try (ResultSet r = q.executeQuery()) {
                while (r.next()) {
                    objects.add(ObjectIdentifier.builder().key(ChunkRef.key(bucket.chunkStore(source), r.getString(1))).build());
                    bytes += r.getLong(2);
                }
            }
        }
        deleteObjects(objects);
        return new long[]{objects.size(), objects.size(), bytes};
    }

    private void deleteObjects(List<ObjectIdentifier> objects) {
        if (!objects.isEmpty()) {
            // an object whose delete fails is only a leak: its index rows are gone, a later backup uploads it again
            bucket.client().deleteObjects(b -> b.bucket(bucket.name()).delete(Delete.builder().objects(objects).quiet(true).build()));
        }
    }
}

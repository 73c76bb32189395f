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
 * backups are dropped, then every chunk no remaining backup references is deleted, its index row first (so no
 * backup can count on it any more), then its object. It runs only while no backup of the source runs (the exclusive
 * side of {@link ChunkIndex}'s lock); a chunk a running backup uploaded or reuses is therefore never swept. The
 * candidates stream from PostgreSQL in batches: memory stays flat in the store's size.
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

    /** What one sweep did. */
    public record Swept(long chunks, long storedBytes, boolean ran) {
    }

    public Swept sweep(String source) {
        try {
            Optional<ChunkIndex.Hold> hold = index.tryHoldForSweep(source);
            if (hold.isEmpty()) {
                LOG.infof("chunks of %s are not swept now: a backup of it is running (the next retention sweeps them)", source);
                return new Swept(0, 0, false);
            }
            try (ChunkIndex.Hold held = hold.get()) {
                return sweep(source, held.connection());
            }
        } catch (SQLException | RuntimeException e) {
            LOG.warnf("chunk sweep of %s stopped: %s (what it did not delete stays, and is swept next time)", source, e.getMessage());
            return new Swept(0, 0, false);
        }
    }

    private Swept sweep(String source, Connection lock) throws SQLException {
        try (PreparedStatement q = lock.prepareStatement("DELETE FROM backup_chunk r USING backup b WHERE r.backup_id = b.id "
                + "AND r.source = ? AND (b.expired_at IS NOT NULL OR b.phase = 'Failed')")) {
            q.setString(1, source);
            q.executeUpdate();
        }
        try (PreparedStatement q = lock.prepareStatement("DELETE FROM backup_file f USING backup b WHERE f.backup_id = b.id "
                + "AND b.source = ? AND (b.expired_at IS NOT NULL OR b.phase = 'Failed')")) {
            q.setString(1, source);
            q.executeUpdate();
        }
        long chunks = 0, bytes = 0;
        try (Connection read = db.getConnection()) {
            read.setAutoCommit(false); // a cursor: candidates stream in batches
            try (PreparedStatement q = read.prepareStatement("SELECT c.id FROM chunk c WHERE c.source = ? AND NOT EXISTS "
                    + "(SELECT 1 FROM backup_chunk r WHERE r.source = c.source AND r.chunk_id = c.id)")) {
                q.setFetchSize(BATCH);
                q.setString(1, source);
                try (ResultSet r = q.executeQuery()) {
                    List<String> batch = new ArrayList<>(BATCH);
                    while (r.next()) {
                        batch.add(r.getString(1));
                        if (batch.size() == BATCH) {
                            long[] done = delete(source, batch, lock);
                            chunks += done[0];
                            bytes += done[1];
                            batch.clear();
                        }
                    }
                    long[] done = delete(source, batch, lock);
                    chunks += done[0];
                    bytes += done[1];
                }
            } finally {
                read.rollback();
                read.setAutoCommit(true);
            }
        }
        if (chunks > 0) {
            LOG.infof("swept %d chunks (%d bytes) of %s that no kept backup references", chunks, bytes, source);
        }
        return new Swept(chunks, bytes, true);
    }

    /** Deletes the index rows (still unreferenced), then their objects; returns {chunks, stored bytes}. */
    private long[] delete(String source, List<String> ids, Connection c) throws SQLException {
        if (ids.isEmpty()) {
            return new long[]{0, 0};
        }
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
        if (!objects.isEmpty()) {
            // an object whose delete fails is only a leak: its index row is gone, a later backup uploads it again
            bucket.client().deleteObjects(b -> b.bucket(bucket.name()).delete(Delete.builder().objects(objects).quiet(true).build()));
        }
        return new long[]{objects.size(), bytes};
    }
}

package io.lifeboat.backup.chunk;

import io.lifeboat.bucket.chunk.ChunkRef;
import jakarta.enterprise.context.ApplicationScoped;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The chunks a source's bucket holds, the packs they are in, and which backups reference them, in PostgreSQL (tables
 * {@code chunk}, {@code pack}, {@code backup_chunk} and {@code backup_pack}): a backup asks it which chunks are
 * new, one indexed lookup each, so memory stays flat however many chunks the bucket holds. Retention's sweep and
 * running backups exclude each other through an advisory lock per source ({@link ChunkStoreLock}).
 */
@ApplicationScoped
public class ChunkIndex {

    private final DataSource db;

    public ChunkIndex(DataSource db) {
        this.db = db;
    }

    /** The stored chunk with this content, if the source's bucket has it. */
    Optional<ChunkRef> find(String source, String id) throws SQLException {
        try (Connection c = db.getConnection();
             PreparedStatement q = c.prepareStatement("SELECT id, size, stored_size, codec, pack, pack_offset FROM chunk "
                     + "WHERE source = ? AND id = ?")) {
            q.setString(1, source);
            q.setString(2, id);
            try (ResultSet r = q.executeQuery()) {
                return r.next() ? Optional.of(chunkAt(r, 1)) : Optional.empty();
            }
        }
    }

    /** The chunk in columns {@code from} to {@code from + 5}: id, size, stored_size, codec, pack, pack_offset. */
    static ChunkRef chunkAt(ResultSet r, int from) throws SQLException {
        ChunkRef chunk = new ChunkRef(r.getString(from), r.getInt(from + 1), r.getInt(from + 2),
                ChunkRef.Codec.valueOf(r.getString(from + 3)));
        String pack = r.getString(from + 4);
        return pack == null ? chunk : chunk.in(pack, r.getLong(from + 5));
    }

    /**
     * Records a pack about to be uploaded, before its first byte is: a pack whose backup crashes mid-upload, or
     * before {@link #storedPack}, is then still known, and swept (no kept backup points into it).
     */
    void storingPack(String source, String pack, long storedBytes, String backupId) throws SQLException {
        try (Connection c = db.getConnection();
             PreparedStatement p = c.prepareStatement("INSERT INTO pack (source, id, stored_bytes, first_backup) "
                     + "VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING")) {
            p.setString(1, source);
            p.setString(2, pack);
            p.setLong(3, storedBytes);
            p.setString(4, backupId);
            p.executeUpdate();
        }
    }

    /**
     * Records the chunks of a pack once it is in the bucket, whole: from now on backups reuse them. A chunk the index
     * has already moves to this pack: this backup copied it forward out of a sparse pack ({@link #sparsePacks}), and
     * the backups after it are to point here, not there.
     */
    void storedPack(String source, String pack, List<ChunkRef> chunks, String backupId) throws SQLException {
        try (Connection c = db.getConnection(); PreparedStatement q = c.prepareStatement(MOVE_CHUNK)) {
            for (ChunkRef chunk : chunks) {
                addChunk(q, source, chunk.in(pack, chunk.offset()), backupId);
            }
            q.executeBatch();
        }
    }

    /** Enters a chunk where {@link #addChunk} places it; one already in the index keeps its place. */
    static final String INSERT_CHUNK = "INSERT INTO chunk (source, id, size, stored_size, codec, first_backup, pack, "
            + "pack_offset) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING";

    /** Enters a chunk stored by a backup; one already in the index moves to where it was stored now. */
    private static final String MOVE_CHUNK = "INSERT INTO chunk (source, id, size, stored_size, codec, first_backup, "
            + "pack, pack_offset) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (source, id) DO UPDATE SET "
            + "stored_size = excluded.stored_size, codec = excluded.codec, first_backup = excluded.first_backup, "
            + "pack = excluded.pack, pack_offset = excluded.pack_offset";

    /** Adds the row of {@code chunk} (in its pack, or of its own) to a batch of an insert of the index's chunks. */
    static void addChunk(PreparedStatement insert, String source, ChunkRef chunk, String firstBackup) throws SQLException {
        insert.setString(1, source);
        insert.setString(2, chunk.id());
        insert.setInt(3, chunk.size());
        insert.setInt(4, chunk.storedSize());
        insert.setString(5, chunk.codec().name());
        insert.setString(6, firstBackup);
        insert.setString(7, chunk.pack());
        if (chunk.pack() == null) {
            insert.setNull(8, java.sql.Types.BIGINT);
        } else {
            insert.setLong(8, chunk.offset());
        }
        insert.addBatch();
    }

    /**
     * Forgets a chunk found missing or damaged in the bucket: the next backup that has its bytes stores it again. A
     * chunk of its own (before packs) is stored under the same key, which mends every backup that references it; a
     * packed chunk goes into a new pack, for the backups from then on.
     */
    public void forget(String source, String id) throws SQLException {
        deleteChunks("DELETE FROM chunk WHERE source = ? AND id = ?", source, id);
    }

    /** Forgets every chunk of a pack found missing from the bucket (the pack's row stays, for the sweep). */
    public void forgetPack(String source, String pack) throws SQLException {
        deleteChunks("DELETE FROM chunk WHERE source = ? AND pack = ?", source, pack);
    }

    private void deleteChunks(String delete, String source, String which) throws SQLException {
        try (Connection c = db.getConnection(); PreparedStatement q = c.prepareStatement(delete)) {
            q.setString(1, source);
            q.setString(2, which);
            q.executeUpdate();
        }
    }

    /**
     * How the source's chunk store cuts chunks: the version recorded when the store was created (stores from before
     * versions were recorded: 1), or {@code fresh} for a store created now, recorded from now on.
     */
    FastCdc chunkerOf(String source, FastCdc fresh) throws SQLException {
        try (Connection c = db.getConnection();
             PreparedStatement insert = c.prepareStatement("INSERT INTO chunk_store (source, chunker) VALUES (?, ?) "
                     + "ON CONFLICT DO NOTHING");
             PreparedStatement q = c.prepareStatement("SELECT chunker FROM chunk_store WHERE source = ?")) {
            insert.setString(1, source);
            insert.setInt(2, fresh.version);
            insert.executeUpdate();
            q.setString(1, source);
            try (ResultSet r = q.executeQuery()) {
                r.next();
                return FastCdc.version(r.getInt(1));
            }
        }
    }

    /**
     * Records that {@code backupId} references these chunks of their own and points into these packs, with the
     * stored bytes of each its list uses (added to what was recorded before: a pack may come back later in the
     * list). Retention keeps them while the backup is kept.
     */
    void referenced(String source, String backupId, Collection<String> chunks, Map<String, Long> packUse)
            throws SQLException {
        try (Connection c = db.getConnection()) {
            if (!chunks.isEmpty()) {
                try (PreparedStatement q = c.prepareStatement("INSERT INTO backup_chunk (backup_id, source, chunk_id) "
                        + "SELECT ?, ?, unnest(?::text[]) ON CONFLICT DO NOTHING")) {
                    q.setString(1, backupId);
                    q.setString(2, source);
                    q.setArray(3, c.createArrayOf("text", chunks.toArray()));
                    q.executeUpdate();
                }
            }
            if (!packUse.isEmpty()) {
                try (PreparedStatement q = c.prepareStatement("INSERT INTO backup_pack (backup_id, source, pack, "
                        + "used_bytes) SELECT ?, ?, unnest(?::text[]), unnest(?::bigint[]) ON CONFLICT (backup_id, pack) "
                        + "DO UPDATE SET used_bytes = backup_pack.used_bytes + excluded.used_bytes")) {
                    q.setString(1, backupId);
                    q.setString(2, source);
                    q.setArray(3, c.createArrayOf("text", packUse.keySet().toArray()));
                    q.setArray(4, c.createArrayOf("bigint", packUse.values().toArray()));
                    q.executeUpdate();
                }
            }
        }
    }

    /**
     * The packs {@code backupId} used less than half of (by stored bytes its list points at) whose own backup, the one
     * that stored them, has expired (or failed): a backup that would reuse a chunk from one of them stores it again
     * instead, in a new pack, so that once the backups that point into the sparse pack expire, it is swept; else one
     * chunk still in use keeps a whole pack of expired ones. While the backup that stored a pack is kept, every chunk
     * in it is in use, and copying would only store them twice. It costs the upload of what is copied, at most half a
     * pack each, once. Packs whose use was not recorded (backups from before) are never sparse.
     */
    Set<String> sparsePacks(String source, String backupId) throws SQLException {
        Set<String> sparse = new HashSet<>();
        try (Connection c = db.getConnection();
             PreparedStatement q = c.prepareStatement("SELECT r.pack FROM backup_pack r "
                     + "JOIN pack p ON p.source = r.source AND p.id = r.pack "
                     + "JOIN backup b ON b.id = p.first_backup AND (b.expired_at IS NOT NULL OR b.phase = 'Failed') "
                     + "WHERE r.backup_id = ? AND r.source = ? AND r.used_bytes * 2 < p.stored_bytes")) {
            q.setString(1, backupId);
            q.setString(2, source);
            try (ResultSet r = q.executeQuery()) {
                while (r.next()) {
                    sparse.add(r.getString(1));
                }
            }
        }
        return sparse;
    }

    /** A check of one chunk: null when it passes, else what is wrong. */
    @FunctionalInterface
    public interface ChunkCheck {
        String check(ChunkRef chunk) throws Exception;
    }

    /**
     * Runs {@code check} on each chunk {@code backupId} uploaded first (streamed with a cursor, pack by pack, in
     * pack order); returns the first problem, or null.
     */
    public String firstStoredBy(String source, String backupId, ChunkCheck check) throws Exception {
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement q = c.prepareStatement(
                    "SELECT id, size, stored_size, codec, pack, pack_offset FROM chunk WHERE source = ? AND first_backup = ? "
                            + "ORDER BY pack, pack_offset")) {
                q.setFetchSize(500);
                q.setString(1, source);
                q.setString(2, backupId);
                try (ResultSet r = q.executeQuery()) {
                    while (r.next()) {
                        String problem = check.check(chunkAt(r, 1));
                        if (problem != null) {
                            return problem;
                        }
                    }
                }
            } finally {
                c.rollback();
                c.setAutoCommit(true);
            }
        }
        return null;
    }

    /**
     * Holds the source's chunk store for a running backup: no sweep deletes a chunk while the backup may reference
     * it. Released by closing.
     */
    ChunkStoreLock holdForBackup(String source) throws SQLException {
        return ChunkStoreLock.forBackup(db, source);
    }

    /** The source's chunk store for a sweep (exclusive), or empty while a backup of the source holds it. */
    Optional<ChunkStoreLock> tryHoldForSweep(String source) throws SQLException {
        return ChunkStoreLock.forSweep(db, source);
    }
}

package io.lifeboat.backup.chunk;

import io.lifeboat.backup.storage.FileIdentity;
import io.lifeboat.bucket.chunk.ChunkRef;
import jakarta.enterprise.context.ApplicationScoped;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * The large files of each chunked backup, by identity (size, mtime, ctime, inode), with the chunks that hold them
 * (table {@code backup_file}): a backup does not read a file whose identity is the same as in the previous backup,
 * it takes that backup's chunks for it.
 */
@ApplicationScoped
public class UnchangedFiles {

    private final DataSource db;

    public UnchangedFiles(DataSource db) {
        this.db = db;
    }

    /** The chunks that hold a large file's content, in order, and what identified the file when it was read. */
    record FileChunks(String path, FileIdentity identity, List<String> ids) {
    }

    /** The source's newest kept chunked backup that did not fail its verification: unchanged files come from it. */
    Optional<String> previousBackup(String source, String keyId) throws SQLException {
        try (Connection c = db.getConnection();
             PreparedStatement q = c.prepareStatement("SELECT id FROM backup WHERE source = ? AND phase = 'Completed' "
                     + "AND expired_at IS NULL AND uploaded_bytes IS NOT NULL AND verified_ok IS NOT FALSE "
                     + "AND encryption_key_id IS NOT DISTINCT FROM ? ORDER BY created_at DESC LIMIT 1")) {
            q.setString(1, source);
            q.setString(2, keyId);
            try (ResultSet r = q.executeQuery()) {
                return r.next() ? Optional.of(r.getString(1)) : Optional.empty();
            }
        }
    }

    /**
     * A file's chunks in a backup, in order, each with its index row (null when no longer indexed). Each id is one
     * primary-key probe: {@code LATERAL ... LIMIT 1} is never turned into a join that filters all of the source's
     * chunks for each id, as a plain join was for a source the planner's statistics did not know yet.
     */
    static final String LOOKUP = "SELECT f.n, c.id, c.size, c.stored_size, c.codec, c.pack, "
            + "c.pack_offset, cardinality(b.chunk_ids), b.size FROM backup_file b CROSS JOIN unnest(b.chunk_ids) WITH ORDINALITY AS f(id, n) "
            + "LEFT JOIN LATERAL (SELECT * FROM chunk WHERE source = ? AND id = f.id LIMIT 1) c ON true "
            + "WHERE b.backup_id = ? AND b.path = ? "
            + "AND (b.size = ? OR ? < 0) AND b.mtime_ns = ? AND b.ctime_ns = ? AND b.inode = ? ORDER BY f.n";

    /**
     * The chunks of {@code path} in backup {@code previous}, in order, if it had the same identity there and every
     * chunk is still in the index (none forgotten as damaged, none swept). An identity of size -1 (a database
     * snapshot's) matches whatever size was stored.
     */
    Optional<List<ChunkRef>> lookup(String source, String previous, String path, FileIdentity identity) throws SQLException {
        try (Connection c = db.getConnection();
             PreparedStatement q = c.prepareStatement(LOOKUP)) {
            q.setString(1, source);
            q.setString(2, previous);
            q.setString(3, path);
            q.setLong(4, identity.size());
            q.setLong(5, identity.size());
            q.setLong(6, identity.mtimeNanos());
            q.setLong(7, identity.ctimeNanos());
            q.setString(8, identity.inode());
            List<ChunkRef> refs = new ArrayList<>();
            int expected = -1;
            long storedSize = -1;
            try (ResultSet r = q.executeQuery()) {
                while (r.next()) {
                    if (r.getString(2) == null) {
                        return Optional.empty(); // a chunk of it is no longer stored
                    }
                    refs.add(ChunkIndex.chunkAt(r, 2));
                    expected = r.getInt(8);
                    storedSize = r.getLong(9);
                }
            }
            long bytes = refs.stream().mapToLong(ChunkRef::size).sum();
            return refs.isEmpty() || refs.size() != expected || bytes != storedSize ? Optional.empty() : Optional.of(refs);
        }
    }

    /**
     * Remembers the chunks that hold large files' content in {@code backupId}, for the next backup: one round trip
     * and one commit for all of them.
     */
    void remember(String backupId, Collection<FileChunks> files) throws SQLException {
        if (files.isEmpty()) {
            return;
        }
        try (Connection c = db.getConnection();
             PreparedStatement q = c.prepareStatement("INSERT INTO backup_file (backup_id, path, size, mtime_ns, ctime_ns, "
                     + "inode, chunk_ids) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING")) {
            for (FileChunks file : files) {
                q.setString(1, backupId);
                q.setString(2, file.path());
                q.setLong(3, file.identity().size());
                q.setLong(4, file.identity().mtimeNanos());
                q.setLong(5, file.identity().ctimeNanos());
                q.setString(6, file.identity().inode());
                q.setArray(7, c.createArrayOf("text", file.ids().toArray()));
                q.addBatch();
            }
            q.executeBatch();
        }
    }
}

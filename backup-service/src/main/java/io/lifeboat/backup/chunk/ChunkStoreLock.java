package io.lifeboat.backup.chunk;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;

/**
 * A held advisory lock on a source's chunk store, on a connection of its own: running backups hold it shared,
 * retention's sweep exclusively, so no sweep deletes a chunk a running backup may reference. Closing releases it; a
 * crashed instance's connection ends, and its lock with it.
 */
final class ChunkStoreLock implements AutoCloseable {

    /** First key of the advisory locks on a source's chunk store ("LBCH"); the second is the source's hash. */
    static final int LOCK_SPACE = 0x4c424348;

    private final Connection connection;
    private final String source;
    private final boolean shared;

    private ChunkStoreLock(Connection connection, String source, boolean shared) {
        this.connection = connection;
        this.source = source;
        this.shared = shared;
    }

    /** Waits for the shared lock a backup holds while it runs. */
    static ChunkStoreLock forBackup(DataSource db, String source) throws SQLException {
        Connection c = db.getConnection();
        try (PreparedStatement q = c.prepareStatement("SELECT pg_advisory_lock_shared(?, ?)")) {
            q.setInt(1, LOCK_SPACE);
            q.setInt(2, source.hashCode());
            q.execute();
        } catch (SQLException e) {
            c.close();
            throw e;
        }
        return new ChunkStoreLock(c, source, true);
    }

    /** The exclusive lock of a sweep, or empty while a backup of the source holds it. */
    static Optional<ChunkStoreLock> forSweep(DataSource db, String source) throws SQLException {
        Connection c = db.getConnection();
        try (PreparedStatement q = c.prepareStatement("SELECT pg_try_advisory_lock(?, ?)")) {
            q.setInt(1, LOCK_SPACE);
            q.setInt(2, source.hashCode());
            try (ResultSet r = q.executeQuery()) {
                r.next();
                if (r.getBoolean(1)) {
                    return Optional.of(new ChunkStoreLock(c, source, false));
                }
            }
        } catch (SQLException e) {
            c.close();
            throw e;
        }
        c.close();
        return Optional.empty();
    }

    /** The connection holding the lock: work done on it runs while the lock is held. */
    Connection connection() {
        return connection;
    }

    @Override
    public void close() {
        try (connection; PreparedStatement q = connection.prepareStatement(
                shared ? "SELECT pg_advisory_unlock_shared(?, ?)" : "SELECT pg_advisory_unlock(?, ?)")) {
            q.setInt(1, LOCK_SPACE);
            q.setInt(2, source.hashCode());
            q.execute();
        } catch (SQLException ignored) {
            // closing the connection ends the session, and the lock with it
        }
    }
}

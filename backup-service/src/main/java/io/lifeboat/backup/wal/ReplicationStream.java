package io.lifeboat.backup.wal;

import io.lifeboat.postgres.PostgresEndpoint;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyDual;

import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;

/**
 * One physical replication connection to a continuous source, speaking the walsender protocol as
 * {@code pg_receivewal} does (IDENTIFY_SYSTEM, TIMELINE_HISTORY, START_REPLICATION ... TIMELINE, XLogData,
 * keepalives, standby status updates). The flush position it reports is what is stored in the bucket, so the
 * replication slot keeps every byte that is not: a crash of Lifeboat loses nothing.
 */
final class ReplicationStream implements AutoCloseable {

    /** Microseconds between the Unix epoch and PostgreSQL's (2000-01-01). */
    private static final long PG_EPOCH_OFFSET_MICROS = 946_684_800_000_000L;
    private static final Duration STATUS_EVERY = Duration.ofSeconds(10);

    record Identity(String systemId, int timeline, long position) {
    }

    /** WAL bytes starting at position {@code start}. */
    record XLogData(long start, byte[] message, int offset, int length) {
    }

    /** The server ended the stream: the end of a timeline when it switched, or a shutdown. */
    static final class StreamEnded extends Exception {
        StreamEnded(String why) {
            super(why);
        }
    }

    private final Connection connection;
    private CopyDual copy;
    private long lastStatus;

    private ReplicationStream(Connection connection) {
        this.connection = connection;
    }

    static ReplicationStream open(PostgresEndpoint endpoint, String password) throws SQLException {
        return new ReplicationStream(endpoint.connectForReplication(password));
    }

    Identity identify() throws SQLException {
        try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery("IDENTIFY_SYSTEM")) {
            rs.next();
            return new Identity(rs.getString(1), rs.getInt(2), io.lifeboat.bucket.wal.Lsn.parse(rs.getString(3)));
        }
    }

    /** The history file of {@code timeline} (timelines above 1 only): its name and content. */
    String[] timelineHistory(int timeline) throws SQLException {
        try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery("TIMELINE_HISTORY " + timeline)) {
            rs.next();
            return new String[]{rs.getString(1), new String(rs.getBytes(2), java.nio.charset.StandardCharsets.UTF_8)};
        }
    }

    /** Starts streaming at {@code position} (a segment start) of {@code timeline}, holding slot {@code slot}. */
    void start(String slot, long position, int timeline) throws SQLException {
        copy = ((PGConnection) connection).getCopyAPI().copyDual("START_REPLICATION SLOT " + slot + " PHYSICAL "
                + io.lifeboat.bucket.wal.Lsn.format(position) + " TIMELINE " + timeline);
        lastStatus = System.nanoTime();
    }

    /**
     * The next WAL message, or null when none is waiting. Keepalives are answered here (with {@code written} and
     * {@code stored}), and a status goes out at least every 10 s so the server never times the stream out.
     */
    XLogData poll(long written, long stored) throws SQLException, StreamEnded {
        while (true) {
            if (System.nanoTime() - lastStatus > STATUS_EVERY.toNanos()) {
                sendStatus(written, stored);
            }
            byte[] message = copy.readFromCopy(false);
            if (message == null) {
                if (!copy.isActive()) {
                    throw new StreamEnded("the server ended the WAL stream (end of timeline, or shutdown)");
                }
                return null;
            }
            ByteBuffer b = ByteBuffer.wrap(message);
            byte type = b.get();
            if (type == 'w') {
                long start = b.getLong();
                b.getLong(); // the server's WAL end
                b.getLong(); // send time
                return new XLogData(start, message, b.position(), b.remaining());
            }
            if (type == 'k') {
                b.getLong();
                b.getLong();
                if (b.get() != 0) {
                    sendStatus(written, stored);
                }
            }
        }
    }

    /** Standby status: received up to {@code written}, stored (flushed, as far as the slot knows) up to {@code stored}. */
    void sendStatus(long written, long stored) throws SQLException {
        ByteBuffer status = ByteBuffer.allocate(34);
        long now = Instant.now().toEpochMilli() * 1000 - PG_EPOCH_OFFSET_MICROS;
        status.put((byte) 'r').putLong(written).putLong(stored).putLong(stored).putLong(now).put((byte) 0);
        copy.writeToCopy(status.array(), 0, status.capacity());
        copy.flushCopy();
        lastStatus = System.nanoTime();
    }

    @Override
    public void close() {
        // a connection in COPY mode cannot be closed politely: drop the socket, the server ends the walsender
        try {
            connection.abort(Runnable::run);
        } catch (SQLException | RuntimeException ignored) {
            // already gone
        }
    }
}

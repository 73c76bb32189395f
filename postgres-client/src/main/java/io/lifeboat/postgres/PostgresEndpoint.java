package io.lifeboat.postgres;

import org.postgresql.ds.PGSimpleDataSource;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * A PostgreSQL server Lifeboat connects to as {@code user}. Connections are configured through the driver's own
 * properties, never by splicing host or database names into a URL.
 */
public record PostgresEndpoint(String host, int port, String user) {

    /** Seconds to wait for the server before a connection attempt fails. */
    private static final int CONNECT_TIMEOUT_SECONDS = 10;

    public Connection connect(String database, String password) throws SQLException {
        PGSimpleDataSource source = new PGSimpleDataSource();
        source.setServerNames(new String[]{host});
        source.setPortNumbers(new int[]{port});
        source.setDatabaseName(database);
        source.setUser(user);
        source.setPassword(password);
        source.setConnectTimeout(CONNECT_TIMEOUT_SECONDS);
        source.setApplicationName("lifeboat");
        return source.getConnection();
    }

    /**
     * A connection for server-wide work (replication slots, WAL positions, base backups): to the {@code postgres}
     * maintenance database, which a damaged application database cannot take away, else to {@code database}.
     */
    public Connection connectToServer(String database, String password) throws SQLException {
        try {
            return connect("postgres", password);
        } catch (SQLException noMaintenanceDatabase) {
            try {
                return connect(database, password);
            } catch (SQLException e) {
                e.addSuppressed(noMaintenanceDatabase);
                throw e;
            }
        }
    }

    /**
     * A physical replication connection (walsender mode: IDENTIFY_SYSTEM, TIMELINE_HISTORY, START_REPLICATION; no
     * SQL). The user needs the REPLICATION attribute and a {@code replication} line in pg_hba.conf.
     */
    public Connection connectForReplication(String password) throws SQLException {
        PGSimpleDataSource source = new PGSimpleDataSource();
        source.setServerNames(new String[]{host});
        source.setPortNumbers(new int[]{port});
        source.setDatabaseName("postgres");
        source.setUser(user);
        source.setPassword(password);
        source.setConnectTimeout(CONNECT_TIMEOUT_SECONDS);
        source.setApplicationName("lifeboat-wal");
        source.setReplication("true");
        source.setAssumeMinServerVersion("10");
        source.setPreferQueryMode(org.postgresql.jdbc.PreferQueryMode.SIMPLE);
        return source.getConnection();
    }

    /** {@code host:port} for messages. */
    public String address() {
        return host + ":" + port;
    }
}

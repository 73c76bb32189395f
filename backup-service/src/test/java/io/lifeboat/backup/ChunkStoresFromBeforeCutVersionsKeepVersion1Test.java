package io.lifeboat.backup;

import io.lifeboat.stack.PostgresServer;
import io.lifeboat.testsupport.TestServers;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Upgrading backup-service over a database that already holds chunk stores: each of them was cut with FastCDC
 * version 1, and must keep being cut so, or its next backup would store everything again. The migration that
 * introduced cut versions records them, on the real PostgreSQL.
 */
class ChunkStoresFromBeforeCutVersionsKeepVersion1Test {

    @Test
    void theMigrationRecordsEveryChunkStoreThatHoldsChunksAsVersion1() throws Exception {
        PostgresServer pg = TestServers.get().postgres();
        String database = "lifeboat_backup_upgrade";
        try (Connection c = pg.connect("postgres"); Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + database);
        }
        pg.createDatabase(database);
        Flyway.configure().dataSource(pg.jdbcUrl(database), PostgresServer.SUPERUSER, pg.password())
                .locations("classpath:db/migration").target("5").load().migrate();
        try (Connection c = pg.connect(database); Statement s = c.createStatement()) {
            s.execute("INSERT INTO chunk (source, id, size, stored_size, codec, first_backup, pack, pack_offset) VALUES "
                    + "('vector-store', 'a', 10, 10, 'raw', 'b1', 'p1', 0), ('vector-store', 'b', 10, 10, 'raw', 'b1', 'p1', 10), "
                    + "('docs', 'c', 10, 10, 'raw', 'b2', null, null)");
        }

        Flyway.configure().dataSource(pg.jdbcUrl(database), PostgresServer.SUPERUSER, pg.password())
                .locations("classpath:db/migration").load().migrate();

        Map<String, Integer> versions = new HashMap<>();
        try (Connection c = pg.connect(database); Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT source, chunker FROM chunk_store")) {
            while (r.next()) {
                versions.put(r.getString(1), r.getInt(2));
            }
        }
        assertThat(versions).isEqualTo(Map.of("vector-store", 1, "docs", 1));
    }
}

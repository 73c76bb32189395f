package io.lifeboat.backup.chunk;

import io.lifeboat.backup.storage.FileIdentity;
import io.lifeboat.bucket.chunk.ChunkRef;
import io.lifeboat.stack.PostgresServer;
import io.lifeboat.testsupport.TestServers;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An unchanged file's chunks are looked up with one index probe per chunk, also for a source whose chunks the
 * planner's statistics do not know yet (every new source until autovacuum analyzes the table): on the real
 * PostgreSQL, with the migrations as deployed. Before, the lookup filtered every chunk of the source for each of the
 * file's chunks, which made an unchanged backup's lookups grow with the store's size times the file's.
 */
class UnchangedFileLookupTest {

    private static final String DATABASE = "lifeboat_backup_lookup";
    private static final String PATH = "segment/data_level0.bin";
    private static final FileIdentity IDENTITY = new FileIdentity(500 * 1000L, 11L, 12L, "7:42");
    private static PGSimpleDataSource db;
    private static final List<String> FILE_CHUNKS = new ArrayList<>();

    @BeforeAll
    static void aNewSourceNextToAnAnalyzedOne() throws Exception {
        PostgresServer pg = TestServers.get().postgres();
        try (Connection c = pg.connect("postgres"); Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + DATABASE);
        }
        pg.createDatabase(DATABASE);
        Flyway.configure().dataSource(pg.jdbcUrl(DATABASE), PostgresServer.SUPERUSER, pg.password())
                .locations("classpath:db/migration").load().migrate();
        db = new PGSimpleDataSource();
        db.setURL(pg.jdbcUrl(DATABASE));
        db.setUser(PostgresServer.SUPERUSER);
        db.setPassword(pg.password());
        try (Connection c = db.getConnection(); Statement s = c.createStatement()) {
            insertChunks(c, "old-store", 2000);
            s.execute("ANALYZE chunk"); // the statistics know old-store only, as before a new source's first backup
            insertChunks(c, "new-store", 3000);
            // the file: 500 of the new store's chunks, not in the order they were stored
            IntStream.range(0, 500).map(i -> (i * 7) % 3000).forEach(i -> FILE_CHUNKS.add(id("new-store", i)));
            try (PreparedStatement q = c.prepareStatement("INSERT INTO backup_file (backup_id, path, size, mtime_ns, ctime_ns, "
                    + "inode, chunk_ids) VALUES ('new-store-b1', ?, ?, ?, ?, ?, ?)")) {
                q.setString(1, PATH);
                q.setLong(2, IDENTITY.size());
                q.setLong(3, IDENTITY.mtimeNanos());
                q.setLong(4, IDENTITY.ctimeNanos());
                q.setString(5, IDENTITY.inode());
                q.setArray(6, c.createArrayOf("text", FILE_CHUNKS.toArray()));
                q.executeUpdate();
            }
        }
    }

    @Test
    void theFilesChunksComeBackInTheFilesOrder() throws Exception {
        List<ChunkRef> refs = new UnchangedFiles(db).lookup("new-store", "new-store-b1", PATH, IDENTITY).orElseThrow();
        assertThat(refs).extracting(ChunkRef::id).containsExactlyElementsOf(FILE_CHUNKS);
        assertThat(refs).allSatisfy(r -> assertThat(r.pack()).startsWith("pack-"));
    }

    @Test
    void eachChunkIsOneProbeOfTheIndexNotAFilterOverTheSourcesChunks() throws Exception {
        StringBuilder plan = new StringBuilder();
        try (Connection c = db.getConnection(); PreparedStatement q = c.prepareStatement("EXPLAIN (ANALYZE) " + UnchangedFiles.LOOKUP)) {
            q.setString(1, "new-store");
            q.setString(2, "new-store-b1");
            q.setString(3, PATH);
            q.setLong(4, IDENTITY.size());
            q.setLong(5, IDENTITY.size());
            q.setLong(6, IDENTITY.mtimeNanos());
            q.setLong(7, IDENTITY.ctimeNanos());
            q.setString(8, IDENTITY.inode());
            try (ResultSet r = q.executeQuery()) {
                while (r.next()) {
                    plan.append(r.getString(1)).append('\n');
                }
            }
        }
        assertThat(plan.toString()).as("the plan").doesNotContain("Rows Removed by").contains("Index Cond: ((source = ")
                .contains("AND (id = f.id))");
    }

    private static void insertChunks(Connection c, String source, int count) throws Exception {
        try (PreparedStatement q = c.prepareStatement("INSERT INTO chunk (source, id, size, stored_size, codec, first_backup, "
                + "pack, pack_offset) VALUES (?, ?, 1000, 600, 'zstd', ?, ?, ?)")) {
            for (int i = 0; i < count; i++) {
                q.setString(1, source);
                q.setString(2, id(source, i));
                q.setString(3, source + "-b1");
                q.setString(4, "pack-" + source + "-" + i / 100);
                q.setLong(5, (i % 100) * 600L);
                q.addBatch();
            }
            q.executeBatch();
        }
    }

    private static String id(String source, int i) {
        return String.format("%064x", (long) source.hashCode() * 1_000_003L + i);
    }
}

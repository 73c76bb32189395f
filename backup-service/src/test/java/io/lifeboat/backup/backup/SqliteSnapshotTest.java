package io.lifeboat.backup.backup;

import io.lifeboat.testsupport.Scratch;
import org.junit.jupiter.api.Test;
import org.sqlite.SQLiteConfig;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Why a live SQLite database is copied with the online backup API and not byte by byte (as {@code tar} of the
 * live folder did). The interleaving a byte copy can meet, made deterministic: the copier reads the main file,
 * the writer commits and checkpoints (its WAL starts over), commits again, and the copier then reads the WAL.
 */
class SqliteSnapshotTest {

    @Test
    void aByteCopyOfTheFileAndItsWalTakenAroundACheckpointIsNotTheDatabaseAtAnyMoment() throws Exception {
        Path live = Scratch.directory("lifeboat-live-sqlite");
        Path database = live.resolve("chroma.sqlite3");
        try (Connection writer = sqlite(database); Statement s = writer.createStatement()) {
            s.execute("PRAGMA journal_mode=WAL");
            s.execute("PRAGMA wal_autocheckpoint=0");
            s.execute("CREATE TABLE embeddings (id INTEGER PRIMARY KEY, payload BLOB NOT NULL)");
            insert(s, 1, 300);
            s.execute("PRAGMA wal_checkpoint(TRUNCATE)");

            Path byteCopy = Scratch.directory("lifeboat-byte-copy");
            Files.copy(database, byteCopy.resolve("chroma.sqlite3")); // the copier reads the main file
            insert(s, 301, 600);
            s.execute("PRAGMA wal_checkpoint(TRUNCATE)"); // the writer's checkpoint: the WAL starts over
            insert(s, 601, 900);
            Files.copy(live.resolve("chroma.sqlite3-wal"), byteCopy.resolve("chroma.sqlite3-wal")); // then the WAL

            Path snapshot = Scratch.directory("lifeboat-snapshot").resolve("chroma.sqlite3");
            SqliteSnapshot.copy(database, snapshot); // the same moment, through the backup API

            assertThat(consistentRows(byteCopy.resolve("chroma.sqlite3")))
                    .as("the byte copy is not the database as of any commit").isEqualTo(-1);
            assertThat(consistentRows(snapshot)).isEqualTo(900);
            assertThat(Files.exists(snapshot.resolveSibling("chroma.sqlite3-wal"))).isFalse();
        }
    }

    @Test
    void onlyFilesNamedAndMadeLikeSqliteDatabasesAreSnapshotted() throws Exception {
        Path dir = Scratch.directory("lifeboat-sqlite-names");
        SqliteSnapshot.Databases byName = SqliteSnapshot.Databases.of(dir, List.of());
        Path real = dir.resolve("chroma.sqlite3");
        try (Connection c = sqlite(real); Statement s = c.createStatement()) {
            s.execute("PRAGMA journal_mode=WAL");
            s.execute("CREATE TABLE t (x)");
            assertThat(byName.isDatabase(real)).isTrue();
            assertThat(byName.isCompanion(dir.resolve("chroma.sqlite3-wal"))).isTrue();
        }
        Path notSqlite = Files.writeString(dir.resolve("notes.db"), "SQLite format 2 is not a thing");
        assertThat(byName.isDatabase(notSqlite)).isFalse();
        assertThat(byName.isCompanion(Files.writeString(dir.resolve("notes.db-wal"), "x"))).isFalse();
        Files.createDirectory(dir.resolve("meta"));
        Path renamed = Files.copy(real, dir.resolve("meta/index.bin"));
        assertThat(byName.isDatabase(renamed)).as("named like a data file, stored as bytes").isFalse();

        // a source that declares its databases: exactly those (and still only real SQLite files)
        SqliteSnapshot.Databases declared = SqliteSnapshot.Databases.of(dir, List.of("meta/*.bin", "notes.db"));
        assertThat(declared.isDatabase(renamed)).isTrue();
        assertThat(declared.isCompanion(Files.writeString(dir.resolve("meta/index.bin-wal"), "x"))).isTrue();
        assertThat(declared.isDatabase(real)).as("not declared: stored as bytes").isFalse();
        assertThat(declared.isDatabase(notSqlite)).as("declared, but not a SQLite file").isFalse();
    }

    private static void insert(Statement s, int from, int to) throws SQLException {
        s.execute("WITH RECURSIVE n(v) AS (SELECT " + from + " UNION ALL SELECT v + 1 FROM n WHERE v < " + to + ") "
                + "INSERT INTO embeddings (id, payload) SELECT v, zeroblob(1024) FROM n");
    }

    /** The rows of a copy that passes {@code PRAGMA integrity_check} and holds rows 1..n; -1 for any other copy. */
    private static long consistentRows(Path copy) throws SQLException {
        try (Connection c = sqlite(copy); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("PRAGMA integrity_check")) {
                if (!rs.next() || !"ok".equals(rs.getString(1))) {
                    return -1;
                }
            }
            try (ResultSet rs = s.executeQuery("SELECT count(*), coalesce(max(id), 0) FROM embeddings")) {
                rs.next();
                return rs.getLong(1) == rs.getLong(2) ? rs.getLong(1) : -1;
            }
        } catch (SQLException e) {
            return -1; // "database disk image is malformed"
        }
    }

    /** A connection to the SQLite database in {@code file} (the driver named directly: no DriverManager lookup). */
    private static Connection sqlite(Path file) throws SQLException {
        return new SQLiteConfig().createConnection("jdbc:sqlite:" + file);
    }
}

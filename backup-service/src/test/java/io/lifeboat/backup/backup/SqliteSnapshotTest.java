package io.lifeboat.backup.backup;

import io.lifeboat.testsupport.Scratch;
import org.junit.jupiter.api.Test;
import org.sqlite.SQLiteConfig;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Why a live SQLite database is not copied byte by byte (as {@code tar} of the live folder did), and that its
 * snapshot (the WAL folded over the main file under a read transaction, or the online backup API) is always one
 * committed moment. The interleaving a byte copy can meet, made deterministic: the copier reads the main file,
 * the writer commits and checkpoints (its WAL starts over), commits again, and the copier then reads the WAL.
 */
class SqliteSnapshotTest {

    @Test
    void aByteCopyOfTheFileAndItsWalTakenAroundACheckpointIsNotTheDatabaseAtAnyMoment() throws Exception {
        Path live = Scratch.directory("lifeboat-live-sqlite");
        Path database = live.resolve("chroma.sqlite3");
        try (Connection writer = sqlite(database); Statement s = writer.createStatement()) {
            walTable(s);
            insert(s, 1, 300);
            s.execute("PRAGMA wal_checkpoint(TRUNCATE)");

            Path byteCopy = Scratch.directory("lifeboat-byte-copy");
            Files.copy(database, byteCopy.resolve("chroma.sqlite3")); // the copier reads the main file
            insert(s, 301, 600);
            s.execute("PRAGMA wal_checkpoint(TRUNCATE)"); // the writer's checkpoint: the WAL starts over
            insert(s, 601, 900);
            Files.copy(live.resolve("chroma.sqlite3-wal"), byteCopy.resolve("chroma.sqlite3-wal")); // then the WAL

            Path snapshot = Scratch.directory("lifeboat-snapshot").resolve("chroma.sqlite3");
            assertThat(copy(database, snapshot)).isEqualTo(SqliteSnapshot.Method.WAL_FOLD);

            assertThat(consistentRows(byteCopy.resolve("chroma.sqlite3")))
                    .as("the byte copy is not the database as of any commit").isEqualTo(-1);
            assertThat(consistentRows(snapshot)).isEqualTo(900);
            assertThat(Files.exists(snapshot.resolveSibling("chroma.sqlite3-wal"))).isFalse();

            Path throughTheApi = Scratch.directory("lifeboat-snapshot-api").resolve("chroma.sqlite3");
            SqliteSnapshot.copyWithBackupApi(database, throughTheApi); // the fallback, at the same moment
            assertThat(consistentRows(throughTheApi)).isEqualTo(900);
        }
    }

    @Test
    void aCheckpointWhileTheSnapshotIsReadCannotWriteLaterCommitsIntoWhatItReads() throws Exception {
        Path database = Scratch.directory("lifeboat-fold-pinned").resolve("chroma.sqlite3");
        try (Connection writer = sqlite(database); Statement s = writer.createStatement()) {
            walTable(s);
            s.execute("PRAGMA busy_timeout=0");
            insert(s, 1, 300);
            s.execute("PRAGMA wal_checkpoint(TRUNCATE)"); // rows 1..300 in the main file
            insert(s, 301, 310); // rows 301..310 in the WAL
            Path copy = Scratch.directory("lifeboat-fold-pinned-copy").resolve("chroma.sqlite3");
            boolean folded = fold(database, copy, stage -> {
                if (stage == SqliteWalFold.Stage.WAL_TAKEN) {
                    // a later commit rewrites the pages only the main file holds, and a checkpoint would write
                    // them there before the snapshot reads them if no reader held it back
                    execute(s, "UPDATE embeddings SET payload = randomblob(1024) WHERE id <= 300");
                    execute(s, "PRAGMA wal_checkpoint(TRUNCATE)");
                }
            });
            assertThat(folded).isTrue();
            assertThat(consistentRows(copy)).isEqualTo(310);
            assertThat(rowsAsInserted(copy)).as("rows as committed before the snapshot, none as rewritten after").isEqualTo(310);
        }
    }

    @Test
    void aWalStartedOverWhileItIsFoldedDiscardsTheAttempt() throws Exception {
        // rows 1..300 checkpointed but still in the WAL: the copy reads the main file alone, and a writer may
        // start the WAL over from its first frame
        Path database = Scratch.directory("lifeboat-fold-restart").resolve("chroma.sqlite3");
        try (Connection writer = sqlite(database); Statement s = writer.createStatement()) {
            walTable(s);
            insert(s, 1, 300);
            s.execute("PRAGMA wal_checkpoint(PASSIVE)");
            Path copy = Scratch.directory("lifeboat-fold-restart-copy").resolve("chroma.sqlite3");
            boolean folded = fold(database, copy, stage -> {
                if (stage == SqliteWalFold.Stage.WAL_SCANNED) {
                    execute(s, "UPDATE embeddings SET payload = zeroblob(2048) WHERE id <= 100"); // new frames over the old
                }
            });
            assertThat(folded).as("the WAL moved under the fold").isFalse();
            assertThat(Files.exists(copy)).isFalse();
            assertThat(fold(database, copy, stage -> { })).isTrue();
            assertThat(consistentRows(copy)).isEqualTo(300);
        }
    }

    @Test
    void aTransactionStillBeingWrittenToTheWalIsNotInTheCopy() throws Exception {
        Path database = Scratch.directory("lifeboat-open-transaction").resolve("chroma.sqlite3");
        try (Connection writer = sqlite(database); Statement s = writer.createStatement()) {
            walTable(s);
            s.execute("PRAGMA cache_size=10"); // a large transaction spills its pages into the WAL before it commits
            insert(s, 1, 300);
            long committedWal = Files.size(database.resolveSibling("chroma.sqlite3-wal"));
            writer.setAutoCommit(false);
            s.execute("UPDATE embeddings SET payload = randomblob(1024)"); // pages the committed rows live on
            insert(s, 301, 2000);
            assertThat(Files.size(database.resolveSibling("chroma.sqlite3-wal")))
                    .as("the open transaction's pages are in the WAL").isGreaterThan(committedWal + 1000 * 1024);

            Path copy = Scratch.directory("lifeboat-open-transaction-copy").resolve("chroma.sqlite3");
            assertThat(copy(database, copy)).isEqualTo(SqliteSnapshot.Method.WAL_FOLD);
            assertThat(consistentRows(copy)).isEqualTo(300);
            assertThat(rowsAsInserted(copy)).as("rows as committed, none as the open transaction rewrote them").isEqualTo(300);
            writer.rollback();
        }
    }

    @Test
    void aDatabaseThatShrankInItsWalIsCopiedAtItsNewSize() throws Exception {
        Path database = Scratch.directory("lifeboat-shrunk").resolve("chroma.sqlite3");
        try (Connection writer = sqlite(database); Statement s = writer.createStatement()) {
            walTable(s);
            insert(s, 1, 2000);
            s.execute("PRAGMA wal_checkpoint(TRUNCATE)"); // the main file holds all 2000 rows
            s.execute("DELETE FROM embeddings WHERE id > 300");
            s.execute("VACUUM"); // the smaller database is only in the WAL
            long bytes;
            try (ResultSet rs = s.executeQuery("SELECT page_count * page_size FROM pragma_page_count, pragma_page_size")) {
                rs.next();
                bytes = rs.getLong(1);
            }
            Path copy = Scratch.directory("lifeboat-shrunk-copy").resolve("chroma.sqlite3");
            assertThat(copy(database, copy)).isEqualTo(SqliteSnapshot.Method.WAL_FOLD);
            assertThat(Files.size(copy)).isLessThan(Files.size(database)).isEqualTo(bytes);
            assertThat(consistentRows(copy)).isEqualTo(300);
        }
    }

    @Test
    void copiesTakenWhileAWriterCommitsAndCheckpointsInEveryModeAreEachOneCommittedPrefix() throws Exception {
        Path database = Scratch.directory("lifeboat-busy-sqlite").resolve("chroma.sqlite3");
        try (Connection c = sqlite(database); Statement s = c.createStatement()) {
            s.execute("PRAGMA journal_mode=WAL");
            s.execute("CREATE TABLE embeddings (id INTEGER PRIMARY KEY, payload BLOB NOT NULL)");
            insert(s, 1, 3000);
        }
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong committed = new AtomicLong(3000);
        AtomicReference<Throwable> writerFailure = new AtomicReference<>();
        Thread writer = new Thread(() -> {
            String[] modes = {"PASSIVE", "FULL", "RESTART", "TRUNCATE"};
            try (Connection c = sqlite(database); Statement s = c.createStatement()) {
                s.execute("PRAGMA wal_autocheckpoint=0");
                s.execute("PRAGMA cache_size=20");
                for (long id = 3001, n = 0; !stop.get(); n++) {
                    long last = id + (n % 50 == 49 ? 400 : 0); // now and then a transaction that spills into the WAL
                    insert(s, id, last);
                    committed.set(last);
                    id = last + 1;
                    if (n % 7 == 6) {
                        try {
                            s.execute("PRAGMA wal_checkpoint(" + modes[(int) (n / 7 % modes.length)] + ")");
                        } catch (SQLException busy) {
                            // a reader holds the WAL: the checkpoint waits for the next round, as in a live store
                        }
                    }
                }
            } catch (Throwable t) {
                writerFailure.set(t);
            }
        }, "busy-sqlite-writer");
        writer.start();
        Map<SqliteSnapshot.Method, Integer> methods = new EnumMap<>(SqliteSnapshot.Method.class);
        try {
            for (int i = 0; i < 30; i++) {
                long before = committed.get();
                Path copy = Scratch.directory("lifeboat-busy-copy").resolve("chroma.sqlite3");
                methods.merge(copy(database, copy), 1, Integer::sum);
                long rows = consistentRows(copy);
                assertThat(rows).as("copy %d: one committed prefix, at least what was committed before it began", i)
                        .isGreaterThanOrEqualTo(before);
                Files.delete(copy);
            }
        } finally {
            stop.set(true);
            writer.join();
        }
        assertThat(writerFailure.get()).isNull();
        assertThat(committed.get()).as("the writer committed during the copies").isGreaterThan(3000);
        assertThat(methods.getOrDefault(SqliteSnapshot.Method.WAL_FOLD, 0)).as("copies by method: %s", methods).isPositive();
    }

    @Test
    void aWalLargerThanTheFoldHoldsInMemoryIsLeftToTheBackupApiAfterOneScan() throws Exception {
        Path database = Scratch.directory("lifeboat-large-wal").resolve("chroma.sqlite3");
        try (Connection writer = sqlite(database); Statement s = writer.createStatement()) {
            walTable(s);
            insert(s, 1, 300);
            long wal = Files.size(database.resolveSibling("chroma.sqlite3-wal"));
            assertThatThrownBy(() -> SqliteWalFold.open(database, wal / 2, stage -> { }))
                    .as("more committed frames than it may hold: not held in memory")
                    .isInstanceOf(SqliteWalFold.WalTooLarge.class);

            List<SqliteWalFold.Stage> stages = new ArrayList<>();
            Path copy = Scratch.directory("lifeboat-large-wal-copy").resolve("chroma.sqlite3");
            try (SqliteSnapshot.Snapshot snapshot = SqliteSnapshot.open(database, wal / 2, stages::add);
                 InputStream in = snapshot.content()) {
                assertThat(snapshot.method()).isEqualTo(SqliteSnapshot.Method.BACKUP_API);
                Files.copy(in, copy);
            }
            assertThat(stages).as("one fold attempt: a second would scan the same WAL for the same answer")
                    .containsExactly(SqliteWalFold.Stage.OPENED);
            assertThat(consistentRows(copy)).isEqualTo(300);

            try (SqliteWalFold held = SqliteWalFold.open(database, wal, stage -> { })) {
                assertThat(held).isNotNull();
                assertThat(held.size()).isPositive();
            }
        }
    }

    @Test
    void aRollbackJournalDatabaseIsCopiedWithTheBackupApi() throws Exception {
        Path database = Scratch.directory("lifeboat-rollback-journal").resolve("notes.db");
        try (Connection c = sqlite(database); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE embeddings (id INTEGER PRIMARY KEY, payload BLOB NOT NULL)");
            insert(s, 1, 100);
        }
        Path copy = Scratch.directory("lifeboat-rollback-journal-copy").resolve("notes.db");
        assertThat(copy(database, copy)).isEqualTo(SqliteSnapshot.Method.BACKUP_API);
        assertThat(consistentRows(copy)).isEqualTo(100);
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

    /** The embeddings table in a WAL-mode database that checkpoints only when a test says so. */
    private static void walTable(Statement s) throws SQLException {
        s.execute("PRAGMA journal_mode=WAL");
        s.execute("PRAGMA wal_autocheckpoint=0");
        s.execute("CREATE TABLE embeddings (id INTEGER PRIMARY KEY, payload BLOB NOT NULL)");
    }

    private static void insert(Statement s, long from, long to) throws SQLException {
        s.execute("WITH RECURSIVE n(v) AS (SELECT " + from + " UNION ALL SELECT v + 1 FROM n WHERE v < " + to + ") "
                + "INSERT INTO embeddings (id, payload) SELECT v, zeroblob(1024) FROM n");
    }

    /** Snapshots {@code database} into the file {@code copy}; the method it took. */
    private static SqliteSnapshot.Method copy(Path database, Path copy) throws IOException {
        try (SqliteSnapshot.Snapshot snapshot = SqliteSnapshot.open(database); InputStream in = snapshot.content()) {
            Files.copy(in, copy);
            assertThat(Files.size(copy)).isEqualTo(snapshot.size());
            return snapshot.method();
        }
    }

    /** One attempt of the WAL fold into the file {@code copy}, {@code pause} called at each stage; false if discarded. */
    private static boolean fold(Path database, Path copy, Consumer<SqliteWalFold.Stage> pause)
            throws IOException, SqliteWalFold.WalTooLarge {
        try (SqliteWalFold snapshot = SqliteWalFold.open(database, SqliteWalFold.MAX_WAL_BYTES, pause)) {
            if (snapshot == null) {
                return false;
            }
            try (InputStream in = snapshot.content()) {
                Files.copy(in, copy);
            }
            return true;
        }
    }

    /** The rows of {@code copy} whose payload is still the zeros they were inserted with. */
    private static long rowsAsInserted(Path copy) throws SQLException {
        try (Connection c = sqlite(copy); Statement q = c.createStatement();
             ResultSet rs = q.executeQuery("SELECT count(*) FROM embeddings WHERE payload = zeroblob(1024)")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static void execute(Statement s, String sql) {
        try {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
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

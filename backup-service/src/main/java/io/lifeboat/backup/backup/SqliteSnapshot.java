package io.lifeboat.backup.backup;

import io.lifeboat.backup.storage.FileIdentity;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteConnection;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * A consistent copy of a live SQLite database: the database as of one commit, with what its WAL held folded in
 * ({@link SqliteWalFold} for a WAL-mode database, else SQLite's online backup API, all pages in one step inside
 * one read transaction). A plain byte copy of the file and its {@code -wal} (no read transaction held, no
 * checksums followed) taken while a writer commits and checkpoints can pair a main file and a WAL from different moments (rows lost, or a copy that fails {@code PRAGMA integrity_check}).
 * The copy is read-only on the source: a read-only connection never checkpoints or truncates the live WAL.
 */
final class SqliteSnapshot {

    /** File names taken for SQLite databases when their first bytes say so. */
    static final List<String> NAME_SUFFIXES = List.of(".sqlite3", ".sqlite", ".db");
    /** Files that belong to a database and are folded into its snapshot, never stored beside it. */
    static final List<String> COMPANION_SUFFIXES = List.of("-wal", "-shm", "-journal");
    private static final byte[] HEADER = "SQLite format 3\0".getBytes(StandardCharsets.US_ASCII);
    /** How long the copy waits for a writer's exclusive lock (a rollback-journal database being committed). */
    private static final int BUSY_WAIT_MILLIS = 100;
    private static final int BUSY_ATTEMPTS = 300;

    private SqliteSnapshot() {
    }

    /**
     * Which files of a directory source are taken for SQLite databases (when their first bytes say so): those
     * matching the source's declared glob patterns (relative to its path), or, when it declares none, files named
     * like one ({@link #NAME_SUFFIXES}).
     */
    record Databases(Path root, List<PathMatcher> declared) {

        static Databases of(Path root, List<String> patterns) {
            return new Databases(root, patterns == null || patterns.isEmpty() ? null
                    : patterns.stream().map(p -> FileSystems.getDefault().getPathMatcher("glob:" + p)).toList());
        }

        private boolean named(Path file) {
            if (declared == null) {
                String name = file.getFileName().toString();
                return NAME_SUFFIXES.stream().anyMatch(name::endsWith);
            }
            Path relative = root.relativize(file);
            return declared.stream().anyMatch(m -> m.matches(relative));
        }

        /** Whether {@code file} is a SQLite database to snapshot: named as one, and starting with SQLite's header. */
        boolean isDatabase(Path file) throws IOException {
            if (!named(file)) {
                return false;
            }
            byte[] start = new byte[HEADER.length];
            try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
                return in.readNBytes(start, 0, start.length) == start.length && Arrays.equals(start, HEADER);
            }
        }

        /** Whether {@code file} is the WAL, shared-memory or rollback journal of a database {@link #isDatabase}. */
        boolean isCompanion(Path file) throws IOException {
            String name = file.getFileName().toString();
            for (String suffix : COMPANION_SUFFIXES) {
                if (name.endsWith(suffix)) {
                    Path database = file.resolveSibling(name.substring(0, name.length() - suffix.length()));
                    return Files.isRegularFile(database, LinkOption.NOFOLLOW_LINKS) && isDatabase(database);
                }
            }
            return false;
        }
    }

    /**
     * What says a database is unchanged since a copy was taken, without copying it: the identities of its main file
     * and of its WAL (a commit appends to the WAL, a checkpoint writes the main file, a WAL restart rewrites the
     * WAL: each moves one of them). Not the WAL's status-change time: SQLite running as root gives the WAL its
     * database's owner (fchown) each time a connection opens it, which moves that time without a write. An empty WAL
     * counts as none: it holds nothing, and the first connection to a database at rest (copied, or closed by its
     * application) creates one, so the backup that snapshots it would otherwise never find it unchanged. Its size is
     * unknown (-1) until a copy is taken. Null while a rollback journal exists: a write is under way.
     */
    static FileIdentity identity(Path database) throws IOException {
        if (Files.exists(database.resolveSibling(database.getFileName() + "-journal"), LinkOption.NOFOLLOW_LINKS)) {
            return null;
        }
        FileIdentity main = FileIdentity.of(database);
        Path walFile = database.resolveSibling(database.getFileName() + "-wal");
        FileIdentity wal = Files.exists(walFile, LinkOption.NOFOLLOW_LINKS) ? FileIdentity.of(walFile) : null;
        if (wal != null && wal.size() == 0) {
            wal = null;
        }
        String inode = "sqlite " + main.inode() + "/" + main.size() + (wal == null ? "" : " wal " + wal.inode() + "/"
                + wal.size() + "/" + wal.mtimeNanos());
        return new FileIdentity(-1, Math.max(main.mtimeNanos(), wal == null ? 0 : wal.mtimeNanos()), main.ctimeNanos(), inode);
    }

    /** How a snapshot was taken: the WAL folded over the live main file, or SQLite's online backup API. */
    enum Method { WAL_FOLD, BACKUP_API }

    /** A database as of one commit, readable once; closing it releases what it holds (a read transaction or a scratch copy). */
    interface Snapshot extends Closeable {
        Method method();

        long size();

        InputStream content() throws IOException;
    }

    /** Fold attempts before the backup API: one fails only when a writer starts the WAL over during it. */
    private static final int FOLD_ATTEMPTS = 3;

    /**
     * A consistent snapshot of {@code database}: for a WAL-mode database its live file with the WAL's committed
     * frames over it ({@link SqliteWalFold}, a tenth of the CPU and no scratch file), else, or when the WAL keeps
     * being started over or is very large, a copy made with the online backup API in a scratch file.
     */
    static Snapshot open(Path database) throws IOException {
        return open(database, SqliteWalFold.MAX_WAL_BYTES, stage -> { });
    }

    /** {@link #open(Path)} folding at most {@code maxWalBytes} of WAL, calling {@code pause} at each fold's stages. */
    static Snapshot open(Path database, long maxWalBytes, Consumer<SqliteWalFold.Stage> pause) throws IOException {
        if (SqliteWalFold.usesWal(database)) {
            try {
                for (int attempt = 0; attempt < FOLD_ATTEMPTS; attempt++) {
                    SqliteWalFold folded = SqliteWalFold.open(database, maxWalBytes, pause);
                    if (folded != null) {
                        return folded;
                    }
                }
            } catch (SqliteWalFold.WalTooLarge e) {
                // copied with the backup API below, which pages through the WAL instead of holding it
            }
        }
        Path copy = Files.createTempFile("lifeboat-sqlite-", ".snapshot");
        try {
            Files.delete(copy); // the backup API creates it
            copyWithBackupApi(database, copy);
            long size = Files.size(copy);
            return new Snapshot() {
                @Override
                public Method method() {
                    return Method.BACKUP_API;
                }

                @Override
                public long size() {
                    return size;
                }

                @Override
                public InputStream content() throws IOException {
                    return Files.newInputStream(copy);
                }

                @Override
                public void close() throws IOException {
                    Files.deleteIfExists(copy);
                }
            };
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(copy);
            throw e;
        }
    }

    /**
     * A copy through SQLite's online backup API into {@code copy} (which must not exist). The copy's own connection
     * pulls the pages (SQLite opens the source read-only for that); it keeps no journal and is not synced: the copy
     * is a scratch file, read once for the backup and deleted, and syncing it cost a third of the copy.
     */
    static void copyWithBackupApi(Path database, Path copy) throws IOException {
        SQLiteConfig config = new SQLiteConfig();
        config.setJournalMode(SQLiteConfig.JournalMode.OFF);
        config.setSynchronous(SQLiteConfig.SynchronousMode.OFF);
        try (var target = (SQLiteConnection) config.createConnection("jdbc:sqlite:" + copy)) {
            // all pages in one step: one read transaction, so no writer's commit can land halfway through the copy
            int rc = target.getDatabase().restore("main", database.toString(), null, BUSY_WAIT_MILLIS, BUSY_ATTEMPTS, -1);
            if (rc != 0) {
                throw new IOException("SQLite's online backup of " + database + " failed with result code " + rc);
            }
        } catch (SQLException e) {
            throw new IOException("cannot copy SQLite database " + database + " with the online backup API: " + e.getMessage(), e);
        }
    }
}

package io.lifeboat.backup.backup;

import org.sqlite.SQLiteConfig;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * A consistent copy of a live WAL-mode SQLite database made the way SQLite recovers one: the main file's bytes,
 * then the WAL's committed frames written over them, as Litestream snapshots a database. SQLite's online backup
 * API copies page by page through two pagers (0.7 CPU-s for a 310 MB database here); the kernel copies the file in
 * a tenth of that.
 *
 * <p>Why the two reads agree: the copy holds a read transaction on the database throughout (SQLite's WAL
 * locking). A checkpoint then never writes into the main file a frame past that transaction's snapshot, and never
 * starts the WAL over while the transaction reads from it; every page a checkpoint does write during the copy is
 * in a WAL frame the fold writes again. When the transaction reads the main file alone (the WAL was wholly
 * checkpointed), no checkpoint writes at all, but a writer may start the WAL over: the WAL header read before
 * and after the fold must then be the same, else the attempt is discarded. The fold takes frames up to the last
 * one whose checksum chain holds and that ends a commit, as SQLite's recovery does: never a transaction that
 * was still being written.
 */
final class SqliteWalFold {

    private static final int WAL_HEADER_BYTES = 32;
    private static final int FRAME_HEADER_BYTES = 24;
    private static final int MAGIC_LITTLE_ENDIAN = 0x377f0682;
    private static final int MAGIC_BIG_ENDIAN = 0x377f0683;
    /** Offsets in the database header: page size (2 bytes), change counter, size in pages, "version valid for". */
    private static final int PAGE_SIZE_AT = 16;
    private static final int WRITE_VERSION_AT = 18;
    private static final int CHANGE_COUNTER_AT = 24;
    private static final int PAGE_COUNT_AT = 28;
    private static final int VALID_FOR_AT = 92;
    private static final int BUSY_TIMEOUT_MILLIS = 30_000;

    private SqliteWalFold() {
    }

    /** Whether the database's header says it uses a WAL (file format write version 2). */
    static boolean usesWal(Path database) throws IOException {
        try (FileChannel in = FileChannel.open(database, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            ByteBuffer header = ByteBuffer.allocate(100);
            return readFully(in, header, 0) && header.get(WRITE_VERSION_AT) == 2;
        }
    }

    /**
     * Writes a consistent copy of {@code database} to {@code copy} (which must not exist). Returns false, with
     * {@code copy} deleted, when the WAL was started over during the attempt or the result does not check out:
     * the caller tries again or copies with SQLite's online backup API.
     */
    static boolean tryCopy(Path database, Path copy) throws IOException {
        return tryCopy(database, copy, stage -> { });
    }

    /** Points of a copy where a test puts a writer's commit or checkpoint. */
    enum Stage { MAIN_FILE_COPIED, WAL_SCANNED }

    /** {@link #tryCopy(Path, Path)}, calling {@code pause} at each {@link Stage}. */
    static boolean tryCopy(Path database, Path copy, Consumer<Stage> pause) throws IOException {
        SQLiteConfig config = new SQLiteConfig();
        config.setReadOnly(true); // a read-only connection never checkpoints or truncates the live WAL
        config.setBusyTimeout(BUSY_TIMEOUT_MILLIS);
        boolean folded = false;
        try (Connection reader = config.createConnection("jdbc:sqlite:" + database)) {
            reader.setAutoCommit(false);
            try (Statement s = reader.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM sqlite_master")) {
                rs.next(); // the read transaction is open from here until the rollback below
            }
            Files.copy(database, copy);
            pause.accept(Stage.MAIN_FILE_COPIED);
            folded = foldWal(database.resolveSibling(database.getFileName() + "-wal"), copy, pause);
            reader.rollback();
        } catch (SQLException e) {
            throw new IOException("cannot open a read transaction on SQLite database " + database + ": " + e.getMessage(), e);
        } finally {
            if (!folded) {
                Files.deleteIfExists(copy);
            }
        }
        return folded;
    }

    /** Writes the WAL's committed frames over {@code copy} and sets its length; false if the WAL moved under it. */
    private static boolean foldWal(Path walFile, Path copy, Consumer<Stage> pause) throws IOException {
        try (FileChannel out = FileChannel.open(copy, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer page1 = ByteBuffer.allocate(100);
            if (!readFully(out, page1, 0)) {
                return false;
            }
            int pageSize = Short.toUnsignedInt(page1.getShort(PAGE_SIZE_AT));
            pageSize = pageSize == 1 ? 65536 : pageSize;
            long pages = -1;
            try (FileChannel wal = FileChannel.open(walFile, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
                WalHeader header = WalHeader.read(wal);
                if (header != null) {
                    if (header.pageSize() != pageSize) {
                        return false;
                    }
                    Commit last = frames(wal, header, null, Long.MAX_VALUE);
                    pause.accept(Stage.WAL_SCANNED);
                    Commit applied = last.frames() == 0 ? last : frames(wal, header, out, last.frames());
                    if (!applied.equals(last) || !header.equals(WalHeader.read(wal))) {
                        return false; // the WAL was started over while it was read
                    }
                    pages = last.frames() == 0 ? -1 : last.pages();
                }
            } catch (NoSuchFileException e) {
                // no WAL: the main file is the whole database
            }
            ByteBuffer header = ByteBuffer.allocate(100);
            if (!readFully(out, header, 0)) {
                return false;
            }
            boolean headerSizeValid = header.getInt(CHANGE_COUNTER_AT) == header.getInt(VALID_FOR_AT);
            long headerPages = Integer.toUnsignedLong(header.getInt(PAGE_COUNT_AT));
            if (pages < 0) {
                pages = headerSizeValid ? headerPages : out.size() / pageSize;
            } else if (headerSizeValid && headerPages != pages) {
                return false; // page 1 and the commit frame disagree: not one moment of the database
            }
            if (out.size() < pages * pageSize) {
                return false; // pages missing from both the main file and the WAL
            }
            out.truncate(pages * pageSize);
            return true;
        }
    }

    /** The last commit found: frames up to and including it, and the database's size in pages after it. */
    private record Commit(long frames, long pages) {
    }

    /**
     * Walks the WAL's valid frames (salts of {@code header}, checksum chain unbroken), writing those up to frame
     * {@code upTo} to {@code out} when given. Returns the last commit at or before {@code upTo}.
     */
    private static Commit frames(FileChannel wal, WalHeader header, FileChannel out, long upTo) throws IOException {
        ByteBuffer frame = ByteBuffer.allocate(FRAME_HEADER_BYTES + header.pageSize()).order(ByteOrder.BIG_ENDIAN);
        int[] sum = {header.checksum1(), header.checksum2()};
        Commit last = new Commit(0, 0);
        for (long n = 1; n <= upTo; n++) {
            frame.clear();
            if (!readFully(wal, frame, WAL_HEADER_BYTES + (n - 1) * frame.capacity())) {
                break;
            }
            if (frame.getInt(8) != header.salt1() || frame.getInt(12) != header.salt2()) {
                break;
            }
            header.checksum(frame, 0, 8, sum);
            header.checksum(frame, FRAME_HEADER_BYTES, header.pageSize(), sum);
            if (sum[0] != frame.getInt(16) || sum[1] != frame.getInt(20)) {
                break;
            }
            if (out != null) {
                long pageNumber = Integer.toUnsignedLong(frame.getInt(0));
                ByteBuffer page = frame.slice(FRAME_HEADER_BYTES, header.pageSize());
                for (long at = (pageNumber - 1) * header.pageSize(); page.hasRemaining(); ) {
                    at += out.write(page, at);
                }
            }
            long pagesAfterCommit = Integer.toUnsignedLong(frame.getInt(4));
            if (pagesAfterCommit != 0) {
                last = new Commit(n, pagesAfterCommit);
            }
        }
        return last;
    }

    /** The WAL's 32-byte header, when its magic and checksum hold. */
    private record WalHeader(byte[] bytes, ByteOrder checksumOrder, int pageSize, int salt1, int salt2,
                             int checksum1, int checksum2) {

        static WalHeader read(FileChannel wal) throws IOException {
            ByteBuffer b = ByteBuffer.allocate(WAL_HEADER_BYTES).order(ByteOrder.BIG_ENDIAN);
            if (!readFully(wal, b, 0)) {
                return null;
            }
            int magic = b.getInt(0);
            if (magic != MAGIC_LITTLE_ENDIAN && magic != MAGIC_BIG_ENDIAN) {
                return null;
            }
            WalHeader header = new WalHeader(b.array().clone(), magic == MAGIC_BIG_ENDIAN ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN,
                    b.getInt(8), b.getInt(16), b.getInt(20), b.getInt(24), b.getInt(28));
            int[] sum = {0, 0};
            header.checksum(b, 0, 24, sum);
            return sum[0] == header.checksum1() && sum[1] == header.checksum2() ? header : null;
        }

        /** SQLite's WAL checksum over {@code length} bytes of {@code b} from {@code offset}, continuing {@code sum}. */
        void checksum(ByteBuffer b, int offset, int length, int[] sum) {
            ByteBuffer words = b.slice(offset, length).order(checksumOrder);
            int s0 = sum[0];
            int s1 = sum[1];
            for (int i = 0; i < length; i += 8) {
                s0 += words.getInt(i) + s1;
                s1 += words.getInt(i + 4) + s0;
            }
            sum[0] = s0;
            sum[1] = s1;
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof WalHeader h && Arrays.equals(bytes, h.bytes);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(bytes);
        }
    }

    /** Reads {@code b}'s remaining bytes at {@code position}; false at the end of the file before they are all read. */
    private static boolean readFully(FileChannel in, ByteBuffer b, long position) throws IOException {
        while (b.hasRemaining()) {
            int n = in.read(b, position);
            if (n < 0) {
                return false;
            }
            position += n;
        }
        return true;
    }
}

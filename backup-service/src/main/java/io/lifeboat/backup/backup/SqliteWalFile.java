package io.lifeboat.backup.backup;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.util.Arrays;
import java.util.Map;

/**
 * Reading a SQLite WAL file (https://www.sqlite.org/fileformat2.html#walformat): its 32-byte header, then frames of
 * a 24-byte header and one page each. A frame is valid while its salts are the header's and the running checksum
 * holds; a transaction is committed when a frame that ends it (a non-zero database size) is valid.
 */
final class SqliteWalFile {

    private static final int WAL_HEADER_BYTES = 32;
    private static final int FRAME_HEADER_BYTES = 24;
    private static final int MAGIC_LITTLE_ENDIAN = 0x377f0682;
    private static final int MAGIC_BIG_ENDIAN = 0x377f0683;

    private SqliteWalFile() {
    }

    /** Bytes of one frame: its header and a page. */
    static long frameBytes(int pageSize) {
        return FRAME_HEADER_BYTES + (long) pageSize;
    }

    /** The last commit found: frames up to and including it, and the database's size in pages after it. */
    record Commit(long frames, long pages) {
    }

    /**
     * Walks the WAL's valid frames (salts of {@code header}, checksum chain unbroken) up to frame {@code upTo},
     * keeping each page's newest version in {@code pages} when given. Returns the last commit at or before {@code upTo}.
     */
    static Commit frames(FileChannel wal, Header header, Map<Long, byte[]> pages, long upTo) throws IOException {
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
            if (pages != null) {
                pages.put(Integer.toUnsignedLong(frame.getInt(0)),
                        Arrays.copyOfRange(frame.array(), FRAME_HEADER_BYTES, FRAME_HEADER_BYTES + header.pageSize()));
            }
            long pagesAfterCommit = Integer.toUnsignedLong(frame.getInt(4));
            if (pagesAfterCommit != 0) {
                last = new Commit(n, pagesAfterCommit);
            }
        }
        return last;
    }

    /** The WAL's 32-byte header, when its magic and checksum hold. */
    record Header(byte[] bytes, ByteOrder checksumOrder, int pageSize, int salt1, int salt2, int checksum1, int checksum2) {

        static Header read(FileChannel wal) throws IOException {
            ByteBuffer b = ByteBuffer.allocate(WAL_HEADER_BYTES).order(ByteOrder.BIG_ENDIAN);
            if (!readFully(wal, b, 0)) {
                return null;
            }
            int magic = b.getInt(0);
            if (magic != MAGIC_LITTLE_ENDIAN && magic != MAGIC_BIG_ENDIAN) {
                return null;
            }
            Header header = new Header(b.array().clone(), magic == MAGIC_BIG_ENDIAN ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN,
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
            return other instanceof Header h && Arrays.equals(bytes, h.bytes);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(bytes);
        }
    }

    /** Reads {@code b}'s remaining bytes at {@code position}; false at the end of the file before they are all read. */
    static boolean readFully(FileChannel in, ByteBuffer b, long position) throws IOException {
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

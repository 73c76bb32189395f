package io.lifeboat.bucket.wal;

/**
 * PostgreSQL WAL positions ({@code pg_lsn}, written {@code X/Y} in hex) and the segment files they fall in.
 * A segment file is named {@code TTTTTTTTXXXXXXXXYYYYYYYY}: timeline, then the segment number split in two.
 */
public final class Lsn {

    public static final long DEFAULT_SEGMENT_SIZE = 16L * 1024 * 1024;

    private Lsn() {
    }

    public static long parse(String lsn) {
        int slash = lsn.indexOf('/');
        if (slash < 1) {
            throw new IllegalArgumentException("not a WAL position (X/Y): " + lsn);
        }
        return (Long.parseLong(lsn.substring(0, slash), 16) << 32) | Long.parseLong(lsn.substring(slash + 1), 16);
    }

    public static String format(long lsn) {
        return Long.toHexString(lsn >>> 32).toUpperCase() + "/" + Long.toHexString(lsn & 0xFFFFFFFFL).toUpperCase();
    }

    public static long segmentOf(long lsn, long segmentSize) {
        return Long.divideUnsigned(lsn, segmentSize);
    }

    public static long segmentStart(long segment, long segmentSize) {
        return segment * segmentSize;
    }

    /** The file name of segment {@code segment} on {@code timeline}. */
    public static String segmentName(int timeline, long segment, long segmentSize) {
        long perId = 0x100000000L / segmentSize;
        return String.format("%08X%08X%08X", timeline, segment / perId, segment % perId);
    }

    /** The segment number a file name stands for. */
    public static long segmentNumber(String name, long segmentSize) {
        long perId = 0x100000000L / segmentSize;
        return Long.parseLong(name.substring(8, 16), 16) * perId + Long.parseLong(name.substring(16, 24), 16);
    }

    public static int timelineOf(String name) {
        return Integer.parseInt(name.substring(0, 8), 16);
    }

    public static boolean isSegmentName(String name) {
        return name.length() == 24 && name.chars().allMatch(c -> Character.digit(c, 16) >= 0 && !Character.isLowerCase(c));
    }
}

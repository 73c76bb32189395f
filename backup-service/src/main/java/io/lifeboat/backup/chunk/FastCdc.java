package io.lifeboat.backup.chunk;

import java.util.SplittableRandom;

/**
 * Content-defined chunking, FastCDC (Xia et al., USENIX ATC 2016): a gear rolling hash over the bytes after the
 * minimum size, a cut where its top bits are zero, with normalized chunking (a stricter mask before the average
 * size, a looser one after) so chunk sizes cluster around the average. An insertion or change moves only the cuts
 * near it: the chunks before and after come out the same, which is what lets unchanged data be found again.
 * Sizes as restic uses them: 512 KiB minimum, 1 MiB average, 8 MiB maximum.
 */
final class FastCdc {

    static final int MIN = 512 * 1024;
    static final int AVERAGE = 1024 * 1024;
    static final int MAX = 8 * 1024 * 1024;
    /** Two bits more than the average's 20 before it, two less after (normalization level 2). */
    private static final long MASK_SMALL = -1L << (64 - 22);
    private static final long MASK_LARGE = -1L << (64 - 18);
    /**
     * The gear table: fixed pseudo-random values (SplittableRandom's algorithm is specified, so every JVM derives
     * the same table). Changing it changes where cuts fall, so new chunks would not match stored ones.
     */
    private static final long[] GEAR = new long[256];

    static {
        SplittableRandom random = new SplittableRandom(0x4c69666562_6f6174L);
        for (int i = 0; i < GEAR.length; i++) {
            GEAR[i] = random.nextLong();
        }
    }

    private FastCdc() {
    }

    /** The length of the first chunk of {@code data[0..length)}: {@code length} itself when no cut is found. */
    static int cut(byte[] data, int length) {
        return cut(data, 0, length);
    }

    /** The length of the chunk that starts at {@code data[from]}, of the {@code length} bytes there. */
    static int cut(byte[] data, int from, int length) {
        if (length <= MIN) {
            return length;
        }
        int end = from + Math.min(length, MAX);
        int normal = from + Math.min(length, AVERAGE);
        long fp = 0;
        int i = from + MIN;
        for (; i < normal; i++) {
            fp = (fp << 1) + GEAR[data[i] & 0xff];
            if ((fp & MASK_SMALL) == 0) {
                return i + 1 - from;
            }
        }
        for (; i < end; i++) {
            fp = (fp << 1) + GEAR[data[i] & 0xff];
            if ((fp & MASK_LARGE) == 0) {
                return i + 1 - from;
            }
        }
        return end - from;
    }
}

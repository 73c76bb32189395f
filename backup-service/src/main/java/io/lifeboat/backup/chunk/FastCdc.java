package io.lifeboat.backup.chunk;

import java.util.SplittableRandom;

/**
 * Content-defined chunking, FastCDC (Xia et al., USENIX ATC 2016): a gear rolling hash over the bytes after the
 * minimum size, a cut where its top bits are zero, with normalized chunking (a stricter mask before the average
 * size, a looser one after) so chunk sizes cluster around the average. An insertion or change moves only the cuts
 * near it: the chunks before and after come out the same, which is what lets unchanged data be found again.
 * <p>
 * Each version is a set of cut parameters. A chunk store keeps the version it was created with for good (as a restic
 * repository keeps its chunker polynomial): chunks cut another way would not match the stored ones, and the next
 * backup would store everything again. New stores get {@link #CURRENT}.
 */
enum FastCdc {

    /** restic's sizes: 512 KiB minimum, 1 MiB average. The stores created before version 2 keep it. */
    V1(1, 512 * 1024, 1024 * 1024, 22, 18),
    /**
     * 256 KiB minimum, 512 KiB average: a change to a database's pages stores less around each changed page (ten
     * changes to the bench's vector store: 492 MiB stored instead of 671, bench/tools/ChunkCutDiff.java), for twice
     * the chunks to index.
     */
    V2(2, 256 * 1024, 512 * 1024, 21, 17);

    static final FastCdc CURRENT = V2;
    /** The largest chunk, the same in every version. */
    static final int MAX = 8 * 1024 * 1024;
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

    final int version;
    final int min;
    final int average;
    /** Mask bits before the average (more than the average's log2) and after it (fewer): normalization level 2. */
    private final long maskSmall;
    private final long maskLarge;

    FastCdc(int version, int min, int average, int bitsBeforeAverage, int bitsAfterAverage) {
        this.version = version;
        this.min = min;
        this.average = average;
        this.maskSmall = -1L << (64 - bitsBeforeAverage);
        this.maskLarge = -1L << (64 - bitsAfterAverage);
    }

    /** The version a chunk store records; 0 (a manifest from before versions were recorded) is version 1. */
    static FastCdc version(int version) {
        for (FastCdc cdc : values()) {
            if (cdc.version == version) {
                return cdc;
            }
        }
        if (version == 0) {
            return V1;
        }
        throw new IllegalArgumentException("unknown chunker version " + version + " (this backup-service knows 1 to "
                + CURRENT.version + ")");
    }

    /** The length of the chunk that starts at {@code data[from]}, of the {@code length} bytes there. */
    int cut(byte[] data, int from, int length) {
        if (length <= min) {
            return length;
        }
        long small = maskSmall;
        long large = maskLarge;
        int end = from + Math.min(length, MAX);
        int normal = from + Math.min(length, average);
        long fp = 0;
        int i = from + min;
        for (; i < normal; i++) {
            fp = (fp << 1) + GEAR[data[i] & 0xff];
            if ((fp & small) == 0) {
                return i + 1 - from;
            }
        }
        for (; i < end; i++) {
            fp = (fp << 1) + GEAR[data[i] & 0xff];
            if ((fp & large) == 0) {
                return i + 1 - from;
            }
        }
        return end - from;
    }
}

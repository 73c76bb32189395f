import com.github.luben.zstd.Zstd;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * What a chunked backup stores again when a file changes: cuts two versions of it (before, after) into
 * content-defined chunks and sums the chunks of the second that the first does not have, raw and at zstd levels 1
 * and 3. The cut is backup-service's FastCdc (same gear table) with its parameters settable, to compare
 * parameters on real changes; the defaults are backup-service's (22/18 mask bits, 512 KiB minimum, 1 MiB average,
 * 8 MiB maximum). bench/RESULTS.md ("Stored bytes, 1.04×") has what it found.
 * <pre>
 *   java -cp ~/.m2/repository/com/github/luben/zstd-jni/1.5.7-28/zstd-jni-1.5.7-28.jar \
 *     [-Dsmall=22 -Dlarge=18 -Dmin=512 -Davg=1024] bench/tools/ChunkCutDiff.java BEFORE AFTER
 * </pre>
 */
public class ChunkCutDiff {
    static final int SMALL = Integer.getInteger("small", 22), LARGE = Integer.getInteger("large", 18);
    static final int MIN = Integer.getInteger("min", 512) * 1024, AVERAGE = Integer.getInteger("avg", 1024) * 1024;
    static final int MAX = 8 * 1024 * 1024;
    static final long[] GEAR = new long[256];

    static {
        SplittableRandom random = new SplittableRandom(0x4c69666562_6f6174L); // FastCdc's seed
        for (int i = 0; i < GEAR.length; i++) {
            GEAR[i] = random.nextLong();
        }
    }

    static int cut(byte[] data, int from, int length) {
        long maskSmall = -1L << (64 - SMALL), maskLarge = -1L << (64 - LARGE);
        if (length <= MIN) {
            return length;
        }
        int end = from + Math.min(length, MAX), normal = from + Math.min(length, AVERAGE);
        long fp = 0;
        int i = from + MIN;
        for (; i < normal; i++) {
            fp = (fp << 1) + GEAR[data[i] & 0xff];
            if ((fp & maskSmall) == 0) {
                return i + 1 - from;
            }
        }
        for (; i < end; i++) {
            fp = (fp << 1) + GEAR[data[i] & 0xff];
            if ((fp & maskLarge) == 0) {
                return i + 1 - from;
            }
        }
        return end - from;
    }

    /** Each chunk's SHA-256 and where it is: {offset, length}. */
    static Map<String, int[]> chunks(byte[] data) throws Exception {
        Map<String, int[]> chunks = new LinkedHashMap<>();
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        for (int off = 0; off < data.length; ) {
            int n = cut(data, off, data.length - off);
            sha.update(data, off, n);
            chunks.put(HexFormat.of().formatHex(sha.digest()), new int[]{off, n});
            off += n;
        }
        return chunks;
    }

    public static void main(String[] args) throws Exception {
        byte[] after = Files.readAllBytes(Path.of(args[1]));
        Map<String, int[]> before = chunks(Files.readAllBytes(Path.of(args[0]))), now = chunks(after);
        long raw = 0, level1 = 0, level3 = 0;
        int added = 0;
        for (Map.Entry<String, int[]> c : now.entrySet()) {
            if (!before.containsKey(c.getKey())) {
                byte[] chunk = java.util.Arrays.copyOfRange(after, c.getValue()[0], c.getValue()[0] + c.getValue()[1]);
                added++;
                raw += chunk.length;
                level1 += Zstd.compress(chunk, 1).length;
                level3 += Zstd.compress(chunk, 3).length;
            }
        }
        System.out.printf("chunks %d -> %d, new %d: %.1f MiB raw, %.1f MiB at zstd 1, %.1f MiB at zstd 3%n",
                before.size(), now.size(), added, raw / 1048576.0, level1 / 1048576.0, level3 / 1048576.0);
    }
}

import com.github.luben.zstd.Zstd;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * What a chunked backup stores again when data changes, for given FastCDC cut parameters. The cut is
 * backup-service's FastCdc (same gear table) with its parameters settable; a parameter set is
 * {@code small/large/min/avg}: mask bits before and after the average, minimum and average in KiB (maximum 8 MiB).
 * backup-service's versions: 1 = {@code 22/18/512/1024}, 2 = {@code 21/17/256/512}. bench/RESULTS.md ("Stored
 * bytes") has what it found.
 * <ul>
 *   <li>{@code ChunkCutDiff BEFORE AFTER}: two versions of one file, the new chunks of the second summed raw and at
 *       zstd levels 1 and 3 (parameters from {@code -Dsets=}, first set only).</li>
 *   <li>{@code ChunkCutDiff --series DIR N}: a folder (each file cut on its own, as a chunked backup cuts a large
 *       file) changed N times by bench/tools/change_chroma.py (seeds 1..N, in place); after each version, for every
 *       parameter set, the chunks not seen in an earlier version, stored as a chunk store stores them (zstd level 3,
 *       raw when that saves under 3 %), and the running total.</li>
 * </ul>
 * <pre>
 *   java -Xmx3g -cp ~/.m2/repository/com/github/luben/zstd-jni/1.5.7-28/zstd-jni-1.5.7-28.jar \
 *     -Dsets=22/18/512/1024,21/17/256/512 bench/tools/ChunkCutDiff.java --series /tmp/copy-of-chroma_db 10
 * </pre>
 */
public class ChunkCutDiff {
    static final int MAX = 8 * 1024 * 1024;
    static final long[] GEAR = new long[256];

    static {
        SplittableRandom random = new SplittableRandom(0x4c69666562_6f6174L); // FastCdc's seed
        for (int i = 0; i < GEAR.length; i++) {
            GEAR[i] = random.nextLong();
        }
    }

    record Params(String name, long maskSmall, long maskLarge, int min, int average) {
        static Params parse(String s) {
            String[] p = s.split("/");
            return new Params(s, -1L << (64 - Integer.parseInt(p[0])), -1L << (64 - Integer.parseInt(p[1])),
                    Integer.parseInt(p[2]) * 1024, Integer.parseInt(p[3]) * 1024);
        }
    }

    static int cut(Params p, byte[] data, int from, int length) {
        if (length <= p.min) {
            return length;
        }
        int end = from + Math.min(length, MAX), normal = from + Math.min(length, p.average);
        long fp = 0;
        int i = from + p.min;
        for (; i < normal; i++) {
            fp = (fp << 1) + GEAR[data[i] & 0xff];
            if ((fp & p.maskSmall) == 0) {
                return i + 1 - from;
            }
        }
        for (; i < end; i++) {
            fp = (fp << 1) + GEAR[data[i] & 0xff];
            if ((fp & p.maskLarge) == 0) {
                return i + 1 - from;
            }
        }
        return end - from;
    }

    /** Each chunk's SHA-256 and where it is: {offset, length}. */
    static Map<String, int[]> chunks(Params p, byte[] data) throws Exception {
        Map<String, int[]> chunks = new LinkedHashMap<>();
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        for (int off = 0; off < data.length; ) {
            int n = cut(p, data, off, data.length - off);
            sha.update(data, off, n);
            chunks.put(HexFormat.of().formatHex(sha.digest()), new int[]{off, n});
            off += n;
        }
        return chunks;
    }

    public static void main(String[] args) throws Exception {
        List<Params> sets = Arrays.stream(System.getProperty("sets", "22/18/512/1024").split(",")).map(Params::parse).toList();
        if (args[0].equals("--series")) {
            series(sets, Path.of(args[1]), Integer.parseInt(args[2]));
        } else {
            pair(sets.get(0), Path.of(args[0]), Path.of(args[1]));
        }
    }

    static void pair(Params p, Path beforeFile, Path afterFile) throws Exception {
        byte[] after = Files.readAllBytes(afterFile);
        Map<String, int[]> before = chunks(p, Files.readAllBytes(beforeFile)), now = chunks(p, after);
        long raw = 0, level1 = 0, level3 = 0;
        int added = 0;
        for (Map.Entry<String, int[]> c : now.entrySet()) {
            if (!before.containsKey(c.getKey())) {
                byte[] chunk = Arrays.copyOfRange(after, c.getValue()[0], c.getValue()[0] + c.getValue()[1]);
                added++;
                raw += chunk.length;
                level1 += Zstd.compress(chunk, 1).length;
                level3 += Zstd.compress(chunk, 3).length;
            }
        }
        System.out.printf("%s: chunks %d -> %d, new %d: %.1f MiB raw, %.1f MiB at zstd 1, %.1f MiB at zstd 3%n",
                p.name, before.size(), now.size(), added, raw / 1048576.0, level1 / 1048576.0, level3 / 1048576.0);
    }

    static void series(List<Params> sets, Path dir, int changes) throws Exception {
        List<Set<String>> seen = new ArrayList<>();
        sets.forEach(p -> seen.add(new HashSet<>()));
        double[] total = new double[sets.size()];
        for (int v = 0; v <= changes; v++) {
            if (v > 0) {
                Process change = new ProcessBuilder("python3", Path.of("bench/tools/change_chroma.py").toAbsolutePath().toString(),
                        dir.toString(), String.valueOf(v)).inheritIO().start();
                if (change.waitFor() != 0) {
                    throw new IllegalStateException("change_chroma.py failed");
                }
            }
            List<Path> files;
            try (Stream<Path> s = Files.walk(dir)) {
                files = s.filter(Files::isRegularFile).filter(f -> !f.toString().endsWith("-shm") && !f.toString().endsWith("-wal"))
                        .sorted().toList();
            }
            StringBuilder line = new StringBuilder(v == 0 ? "first" : "change " + v);
            for (int k = 0; k < sets.size(); k++) {
                long stored = 0, count = 0;
                for (Path f : files) {
                    byte[] data = Files.readAllBytes(f);
                    for (Map.Entry<String, int[]> c : chunks(sets.get(k), data).entrySet()) {
                        count++;
                        if (seen.get(k).add(c.getKey())) {
                            int n = c.getValue()[1];
                            int z = Zstd.compress(Arrays.copyOfRange(data, c.getValue()[0], c.getValue()[0] + n), 3).length;
                            stored += z >= 0.97 * n ? n : z;
                        }
                    }
                }
                total[k] += stored / 1048576.0;
                line.append(String.format(" | %s: +%.1f MiB, total %.1f MiB, %d chunks", sets.get(k).name, stored / 1048576.0,
                        total[k], count));
            }
            System.out.println(line);
        }
    }
}

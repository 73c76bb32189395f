package io.lifeboat.backup.chunk;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A chunk store's cut parameters are fixed for good: if a version's cuts moved, every store created with it would
 * store all its data again on the next backup. Versions are told apart by the number a store records.
 */
class FastCdcTest {

    /** 64 MiB of seeded pseudo-random bytes. */
    private static byte[] data() {
        byte[] data = new byte[64 << 20];
        new SplittableRandom(7).nextBytes(data);
        return data;
    }

    private static List<Integer> cuts(FastCdc chunker, byte[] data) {
        List<Integer> sizes = new ArrayList<>();
        for (int at = 0; at < data.length; ) {
            int n = chunker.cut(data, at, data.length - at);
            sizes.add(n);
            at += n;
        }
        return sizes;
    }

    private static String digest(List<Integer> sizes) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        sizes.forEach(n -> sha.update(ByteBuffer.allocate(4).putInt(n).array()));
        return HexFormat.of().formatHex(sha.digest());
    }

    /**
     * The cuts each version made when it was released (version 1's from the code before versions existed, also
     * bench/tools/ChunkCutDiff.java with its defaults): a change to the gear table, a mask or a size fails here.
     */
    @Test
    void eachVersionCutsWhereTheStoresCreatedWithItExpect() throws Exception {
        byte[] data = data();
        List<Integer> v1 = cuts(FastCdc.V1, data);
        assertThat(v1).hasSize(56);
        assertThat(digest(v1)).isEqualTo("123c80687a9b43368f1983be1eb320e1c56541e049e522912a623ed9e002f973");
        List<Integer> v2 = cuts(FastCdc.V2, data);
        assertThat(v2).hasSize(110);
        assertThat(digest(v2)).isEqualTo("652ee8862fedf852eace2ea1e75b50770e6bb9019574d04d3f65e7090bbbc627");
    }

    @Test
    void version2ChunksAreBetweenItsMinimumAndTheMaximumAndAboutHalfAMebibyteOnAverage() {
        List<Integer> sizes = cuts(FastCdc.V2, data());
        assertThat(sizes.subList(0, sizes.size() - 1)).allSatisfy(n -> assertThat(n).isBetween(256 * 1024, FastCdc.MAX));
        double average = (64 << 20) / (double) sizes.size();
        assertThat(average).isBetween(400.0 * 1024, 800.0 * 1024);
    }

    @Test
    void anInsertionMovesOnlyTheCutsNearIt() throws Exception {
        for (FastCdc chunker : FastCdc.values()) {
            byte[] data = data();
            byte[] edited = new byte[data.length + 100];
            int at = 30 << 20;
            System.arraycopy(data, 0, edited, 0, at);
            System.arraycopy(data, at, edited, at + 100, data.length - at);
            Set<String> before = chunkIds(chunker, data);
            Set<String> after = chunkIds(chunker, edited);
            Set<String> changed = new HashSet<>(after);
            changed.removeAll(before);
            assertThat(changed).as("new chunks after an insertion, version " + chunker.version).hasSizeBetween(1, 2);
        }
    }

    /** Each chunk's SHA-256: what a chunk store names it by. */
    private static Set<String> chunkIds(FastCdc chunker, byte[] data) throws Exception {
        Set<String> ids = new HashSet<>();
        int at = 0;
        for (int n : cuts(chunker, data)) {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(data, at, n);
            ids.add(HexFormat.of().formatHex(sha.digest()));
            at += n;
        }
        return ids;
    }

    @Test
    void aStoreRecordsItsVersionByNumberAndAnUnrecordedOneIsVersion1() {
        assertThat(FastCdc.version(1)).isSameAs(FastCdc.V1);
        assertThat(FastCdc.version(2)).isSameAs(FastCdc.V2);
        assertThat(FastCdc.version(0)).isSameAs(FastCdc.V1);
        assertThat(FastCdc.CURRENT).isSameAs(FastCdc.V2);
        assertThatThrownBy(() -> FastCdc.version(3)).hasMessageContaining("unknown chunker version 3");
    }
}

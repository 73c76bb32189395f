package io.lifeboat.backup.chunk;

import io.lifeboat.backup.storage.FileIdentity;
import io.lifeboat.bucket.chunk.ChunkRef;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The chunker's cuts depend on the bytes only: not on how the archive writer's writes happened to be sized, nor on
 * where in its buffer a chunk starts. What deduplication rests on.
 */
class ChunkingSinkTest {

    /** 40 MiB of a stream that is partly random, partly repetitive (text-like): several buffer fills. */
    private static byte[] stream() {
        Random random = new Random(5);
        byte[] data = new byte[40 * 1024 * 1024];
        random.nextBytes(data);
        byte[] line = "a row of metadata that repeats\n".getBytes();
        for (int at = 12 * 1024 * 1024; at < 20 * 1024 * 1024; at += line.length) {
            System.arraycopy(line, 0, data, at, Math.min(line.length, 20 * 1024 * 1024 - at));
        }
        return data;
    }

    /** The cuts of {@code data} taken one after another from its start, straight with {@code chunker}. */
    private static List<Integer> referenceCuts(FastCdc chunker, byte[] data) {
        List<Integer> sizes = new ArrayList<>();
        for (int at = 0; at < data.length; ) {
            int n = chunker.cut(Arrays.copyOfRange(data, at, Math.min(data.length, at + FastCdc.MAX)), 0,
                    Math.min(data.length - at, FastCdc.MAX));
            sizes.add(n);
            at += n;
        }
        return sizes;
    }

    @ParameterizedTest
    @EnumSource(FastCdc.class)
    void cutsAreTheSameWhateverTheWriteSizesAndTheChunksRebuildTheStream(FastCdc chunker) throws Exception {
        byte[] data = stream();
        List<Integer> expected = referenceCuts(chunker, data);
        assertThat(expected.size()).isGreaterThan(20);
        for (int seed = 0; seed < 3; seed++) {
            Collecting chunks = new Collecting(chunker);
            ChunkingSink sink = new ChunkingSink(chunks, new AtomicLong());
            Random sizes = new Random(seed);
            for (int at = 0; at < data.length; ) {
                // tar blocks, file reads, and the odd huge write
                int n = switch (sizes.nextInt(3)) {
                    case 0 -> 512;
                    case 1 -> 1 + sizes.nextInt(64 * 1024);
                    default -> 1 + sizes.nextInt(12 * 1024 * 1024);
                };
                n = Math.min(n, data.length - at);
                sink.write(data, at, n);
                at += n;
            }
            sink.close();
            assertThat(chunks.sizes()).as("write sizes of seed " + seed).isEqualTo(expected);
            assertThat(chunks.bytes.toByteArray()).isEqualTo(data);
        }
    }

    @ParameterizedTest
    @EnumSource(FastCdc.class)
    void aCutInTheMiddleStartsTheNextChunksAfresh(FastCdc chunker) throws Exception {
        byte[] data = stream();
        int split = 17 * 1024 * 1024 + 3 * 512; // a tar header ends on a 512-byte block
        Collecting chunks = new Collecting(chunker);
        ChunkingSink sink = new ChunkingSink(chunks, new AtomicLong());
        sink.write(data, 0, split);
        // a large file's content follows: the chunker cuts where its tar header ends
        sink.contentFollows("segment.bin", null, data.length - split);
        sink.write(data, split, data.length - split);
        sink.close();
        List<Integer> expected = new ArrayList<>(referenceCuts(chunker, Arrays.copyOf(data, split)));
        expected.addAll(referenceCuts(chunker, Arrays.copyOfRange(data, split, data.length)));
        assertThat(chunks.sizes()).isEqualTo(expected);
        assertThat(chunks.bytes.toByteArray()).isEqualTo(data);
    }

    private static final class Collecting implements ChunkReceiver {
        final FastCdc chunker;
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final List<Integer> sizes = new ArrayList<>();

        Collecting(FastCdc chunker) {
            this.chunker = chunker;
        }

        @Override
        public FastCdc chunker() {
            return chunker;
        }

        List<Integer> sizes() {
            return sizes;
        }

        @Override
        public List<ChunkRef> unchanged(String path, FileIdentity identity) {
            return null;
        }

        @Override
        public void addUnchanged(String path, FileIdentity identity, List<ChunkRef> refs) {
            throw new AssertionError("no file is unchanged here");
        }

        @Override
        public void beginFile(String path, FileIdentity identity) {
        }

        @Override
        public void endFile() {
        }

        @Override
        public void add(byte[] chunk) {
            sizes.add(chunk.length);
            bytes.writeBytes(chunk);
        }
    }
}

package io.lifeboat.backup.backup;

import io.lifeboat.testsupport.Scratch;
import com.github.luben.zstd.ZstdInputStream;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/** The frame switch of {@link CompressingSink}, read back by zstd-jni (restore-service) and by the zstd program. */
class CompressingSinkTest {

    @Test
    void textThenDenseDataThenTextComesBackWholeFromBothDecoders() throws Exception {
        byte[] text = "chat_id,role,content,created_at\n".repeat(40_000).getBytes(StandardCharsets.US_ASCII);
        byte[] floats = floats(2_000_000);
        ByteArrayOutputStream stored = new ByteArrayOutputStream();
        AtomicLong read = new AtomicLong();
        try (CompressingSink sink = new CompressingSink(stored, 3, 2, read)) {
            sink.write(text);
            sink.flush(); // a writer's flush does not end the frame
            sink.denseFromHere();
            sink.write(floats);
            sink.denseFromHere(); // a second call changes nothing
            sink.write(text);
        }
        byte[] expected = concat(text, floats, text);
        assertThat(read.get()).isEqualTo(expected.length);
        assertThat(new ZstdInputStream(new ByteArrayInputStream(stored.toByteArray())).readAllBytes()).isEqualTo(expected);

        Path file = Scratch.file("sink", ".zst");
        Files.write(file, stored.toByteArray());
        Process zstd = new ProcessBuilder("zstd", "-dc", file.toString()).redirectErrorStream(false).start();
        byte[] cli = zstd.getInputStream().readAllBytes();
        assertThat(zstd.waitFor()).isZero();
        assertThat(cli).isEqualTo(expected);
        Files.delete(file);
        // the dense part still lost its redundant exponent bytes
        assertThat(stored.size()).isLessThan(floats.length);
    }

    @Test
    void floatVectorsAndRandomBytesAreDenseTextIsNot() {
        byte[] text = "{\"id\": 1, \"document\": \"how do I reset my password\"}\n".repeat(3000)
                .getBytes(StandardCharsets.US_ASCII);
        byte[] random = new byte[128 * 1024];
        new Random(1).nextBytes(random);
        byte[] floats = floats(128 * 1024);
        assertThat(io.lifeboat.backup.storage.ArchiveSink.isDense(text, text.length)).isFalse();
        assertThat(io.lifeboat.backup.storage.ArchiveSink.isDense(random, random.length)).isTrue();
        assertThat(io.lifeboat.backup.storage.ArchiveSink.isDense(floats, floats.length)).isTrue();
        assertThat(io.lifeboat.backup.storage.ArchiveSink.isDense(random, 100)).as("too short to judge").isFalse();
    }

    /** Normalised float32 embeddings, as a vector store writes them. */
    private static byte[] floats(int bytes) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(bytes).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        Random r = new Random(5);
        while (b.remaining() >= 4) {
            b.putFloat((float) (r.nextGaussian() * 0.05));
        }
        return b.array();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            all.writeBytes(p);
        }
        return all.toByteArray();
    }
}

package io.lifeboat.bucket;

import org.junit.jupiter.api.Test;

import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

class StoredObjectDigestTest {

    private static final int PART = 1000;

    @Test
    void streamedInAnyPiecesItEqualsTheCompositeOfThePartsAWriterUploaded() {
        for (int size : new int[]{0, 1, PART - 1, PART, PART + 1, 3 * PART, 3 * PART + 17}) {
            byte[] object = new byte[size];
            new Random(size).nextBytes(object);
            String writer = StoredObjectDigest.composite(partDigests(object));
            StoredObjectDigest reader = new StoredObjectDigest((long) PART);
            // a reader sees arbitrary read sizes, across part boundaries
            Random reads = new Random(7);
            for (int off = 0; off < size; ) {
                int n = Math.min(size - off, 1 + reads.nextInt(2 * PART));
                reader.update(object, off, n);
                off += n;
            }
            assertEquals(writer, reader.hex(), "object of " + size + " bytes");
        }
    }

    @Test
    void oneChangedByteOrAMovedPartBoundaryChangesIt() {
        byte[] object = new byte[3 * PART];
        new Random(1).nextBytes(object);
        String original = digest((long) PART, object);
        byte[] damaged = object.clone();
        damaged[2 * PART + 5] ^= 1;
        assertNotEquals(original, digest((long) PART, damaged));
        assertNotEquals(original, digest((long) PART + 1, object));
    }

    @Test
    void withoutPartBytesItIsTheWholeObjectsSha256AsBeforeFormat3() throws Exception {
        byte[] object = new byte[2 * PART + 3];
        new Random(2).nextBytes(object);
        assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(object)), digest(null, object));
    }

    private static String digest(Long partBytes, byte[] object) {
        StoredObjectDigest d = new StoredObjectDigest(partBytes);
        d.update(object, 0, object.length);
        return d.hex();
    }

    private static List<byte[]> partDigests(byte[] object) {
        List<byte[]> digests = new ArrayList<>();
        int off = 0;
        do {
            int end = Math.min(object.length, off + PART);
            digests.add(StoredObjectDigest.sha256().digest(Arrays.copyOfRange(object, off, end)));
            off = end;
        } while (off < object.length);
        return digests;
    }
}

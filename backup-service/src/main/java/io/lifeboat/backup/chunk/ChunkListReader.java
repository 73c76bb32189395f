package io.lifeboat.backup.chunk;

import io.lifeboat.bucket.BackupBucket;
import io.lifeboat.bucket.chunk.ChunkRef;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/**
 * A stored backup's chunk list (its plain text), read line by line, each chunk with the size of the object that holds
 * it in the bucket: one HEAD for each run of chunks in the same object, since a pack's chunks follow each other in a
 * list. What checks that a backup's chunks are still there reads it: the verification, and the index's rebuild.
 */
public final class ChunkListReader implements AutoCloseable {

    private final BackupBucket bucket;
    private final String store;
    private final BufferedReader list;
    private String lastKey;
    private Long lastSize;
    private long count;

    /**
     * One chunk of the list. {@code objectSize} is null when its object is not in the bucket; {@code newObject} is true
     * for the first chunk of a run in one object.
     */
    public record Listed(ChunkRef chunk, String key, Long objectSize, boolean newObject) {

        /** Whether its object is there and holds it where the list says (a chunk of its own: exactly). */
        public boolean stored() {
            return objectSize != null && chunk.offset() + chunk.storedSize() <= objectSize
                    && (chunk.pack() != null || objectSize == chunk.storedSize());
        }
    }

    /** {@code plainList} the list's text (decrypted if it is stored encrypted); {@code store} its chunk store. */
    public ChunkListReader(BackupBucket bucket, String store, InputStream plainList) {
        this.bucket = bucket;
        this.store = store;
        this.list = new BufferedReader(new InputStreamReader(plainList, StandardCharsets.US_ASCII));
    }

    /** The next chunk; null after the last. A malformed line is an IOException naming the problem. */
    public Listed next() throws IOException {
        String line = list.readLine();
        if (line == null) {
            return null;
        }
        ChunkRef chunk = ChunkRef.parse(line);
        count++;
        String key = chunk.key(store);
        boolean newObject = !key.equals(lastKey);
        if (newObject) {
            lastKey = key;
            lastSize = bucket.size(key);
        }
        return new Listed(chunk, key, lastSize, newObject);
    }

    /** How many chunks were read so far. */
    public long count() {
        return count;
    }

    @Override
    public void close() throws IOException {
        list.close();
    }
}

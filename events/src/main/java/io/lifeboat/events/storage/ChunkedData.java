package io.lifeboat.events.storage;

/**
 * A chunked backup (manifest format 4): the archive was cut into content-defined chunks, each stored once under
 * {@code store} by the SHA-256 of its bytes; the manifest's data object is the chunk list, one line per chunk in
 * archive order. {@code chunks} and {@code chunkBytes} are the chunks the snapshot references and their stored
 * bytes; {@code uploadedChunks} and {@code uploadedBytes} what this backup had to upload (the rest was in the
 * bucket already); {@code unchangedFiles} and {@code unchangedBytes} the large files it did not read, because their
 * size, mtime, ctime and inode were those of the previous backup (their chunks were taken from it). {@code chunker} is
 * the version of the cut parameters the store cuts its chunks with, fixed when the store was created (0 in manifests
 * written before it was recorded, which were all cut with version 1); a backup-service that lost its database takes
 * it from here.
 */
public record ChunkedData(String store, long chunks, long chunkBytes, long uploadedChunks, long uploadedBytes,
                          long unchangedFiles, long unchangedBytes, int chunker) {
}

package io.lifeboat.backup.chunk;

import io.lifeboat.backup.storage.FileIdentity;
import io.lifeboat.bucket.chunk.ChunkRef;

import java.io.IOException;
import java.util.List;

/** What {@link ChunkingSink} hands its chunks to ({@link ChunkedArchive}), and asks about unchanged files. */
interface ChunkReceiver {

    /** How the chunks are cut: the chunk store's version of the cut parameters. */
    FastCdc chunker();

    /** The chunks of {@code path} in the previous backup when it is unchanged ({@code identity}), else null. */
    List<ChunkRef> unchanged(String path, FileIdentity identity) throws IOException;

    /** An unchanged file: its stored chunks are the next chunks. */
    void addUnchanged(String path, FileIdentity identity, List<ChunkRef> refs) throws IOException;

    /** A large file's content starts with the next chunk ({@code identity} null: not remembered). */
    void beginFile(String path, FileIdentity identity);

    /** The file begun last ends with the chunk added last. */
    void endFile();

    /** The next chunk. */
    void add(byte[] bytes) throws IOException;
}

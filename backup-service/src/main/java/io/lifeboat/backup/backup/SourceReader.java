package io.lifeboat.backup.backup;

import io.lifeboat.backup.storage.ArchiveSink;
import io.lifeboat.backup.source.Source;
import io.lifeboat.postgres.SecretReferences;
import io.lifeboat.postgres.SecretUnavailable;

import java.io.IOException;
import java.util.function.LongConsumer;

/** Reads one kind of source into the backup stream (uncompressed bytes; the runner compresses and stores). */
interface SourceReader {

    /**
     * Writes the source's data to {@code sink}; reports the expected byte count to {@code estimate} once known.
     * Does not close {@code sink}.
     */
    SourceRead read(Source source, ArchiveSink sink, LongConsumer estimate) throws BackupFailure, IOException;

    /** The source's database password, from its reference; a backup fails at its first step without it. */
    static String password(SecretReferences secrets, Source source) throws BackupFailure {
        try {
            return secrets.resolve(source.passwordRef);
        } catch (SecretUnavailable e) {
            throw new BackupFailure("snapshot", e.getMessage());
        }
    }
}

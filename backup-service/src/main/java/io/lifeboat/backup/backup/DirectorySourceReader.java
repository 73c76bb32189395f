package io.lifeboat.backup.backup;

import io.lifeboat.backup.storage.ArchiveSink;
import io.lifeboat.backup.source.Source;
import jakarta.enterprise.context.ApplicationScoped;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.function.LongConsumer;

/** A directory source as a POSIX tar stream ({@link DirectoryArchive}). */
@ApplicationScoped
class DirectorySourceReader implements SourceReader {

    @Override
    public SourceRead read(Source source, ArchiveSink sink, LongConsumer estimate) throws BackupFailure, IOException {
        Path root = Path.of(source.path);
        if (!Files.isDirectory(root, LinkOption.NOFOLLOW_LINKS)) {
            throw new BackupFailure("read-source", "directory " + root + " does not exist or is not a directory");
        }
        estimate.accept(DirectoryArchive.size(root));
        // a directory's data is as of when reading starts: quiesce writers with a preHook for a consistent copy
        Instant point = Instant.now().truncatedTo(ChronoUnit.MICROS);
        DirectoryArchive.Written written = DirectoryArchive.write(root, sink, SqliteSnapshot.Databases.of(root, source.sqliteFileList()));
        return new SourceRead(point, Map.of("archive", "tar (POSIX)", "compression", "zstd"), Map.of(), null,
                written.files(), written.bytes(), null, null);
    }
}

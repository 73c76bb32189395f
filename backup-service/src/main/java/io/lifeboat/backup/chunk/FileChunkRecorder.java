package io.lifeboat.backup.chunk;

import io.lifeboat.backup.storage.FileIdentity;

import java.io.IOException;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * Which chunks of one backup's list hold each of its large files, recorded in {@link UnchangedFiles} for the next
 * backup. Chunks are numbered in list order; a file's chunks are known once the chunks up to its end are taken, and
 * files are recorded a batch at a time.
 */
final class FileChunkRecorder {

    private static final int BATCH = 100;

    private final UnchangedFiles records;
    private final String backupId;
    /** Large files whose chunks are being taken, in list order. */
    private final ArrayDeque<FileInList> files = new ArrayDeque<>();
    /** Large files whose chunks are all taken, not recorded yet. */
    private final List<UnchangedFiles.FileChunks> toRecord = new ArrayList<>();

    /** A large file's content: chunks {@code first} up to {@code end} (exclusive, unknown while it is written). */
    private static final class FileInList {
        final String path;
        final FileIdentity identity;
        final long first;
        long end = Long.MAX_VALUE;
        final List<String> ids = new ArrayList<>();

        FileInList(String path, FileIdentity identity, long first) {
            this.path = path;
            this.identity = identity;
            this.first = first;
        }
    }

    FileChunkRecorder(UnchangedFiles records, String backupId) {
        this.records = records;
        this.backupId = backupId;
    }

    /** A file's content starts with chunk {@code first}; its end is set by {@link #endAt}. */
    void begin(String path, FileIdentity identity, long first) {
        files.add(new FileInList(path, identity, first));
    }

    /** The file begun last ends before chunk {@code end}. */
    void endAt(long end) {
        FileInList last = files.peekLast();
        if (last != null && last.end == Long.MAX_VALUE) {
            last.end = end;
        }
    }

    /** Chunk {@code seq} of the list, {@code id}, is taken: it belongs to the oldest file still open, if inside it. */
    void taken(long seq, String id) throws IOException {
        FileInList file = files.peek();
        if (file == null) {
            return;
        }
        if (seq >= file.first && seq < file.end) {
            file.ids.add(id);
        }
        if (seq + 1 >= file.end) {
            files.poll();
            toRecord.add(new UnchangedFiles.FileChunks(file.path, file.identity, file.ids));
            if (toRecord.size() >= BATCH) {
                flush();
            }
        }
    }

    /** Records the files whose chunks are all taken. */
    void flush() throws IOException {
        try {
            records.remember(backupId, toRecord);
        } catch (SQLException e) {
            throw new IOException("cannot record the chunks of " + toRecord.size() + " files: " + e.getMessage(), e);
        }
        toRecord.clear();
    }
}

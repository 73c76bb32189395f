package io.lifeboat.backup.backup;

import io.lifeboat.backup.storage.ArchiveSink;
import io.lifeboat.backup.storage.FileIdentity;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Writes a directory as a POSIX tar stream: file modes and modification times kept, symbolic links stored as
 * links (never followed, so nothing outside the directory is read), sockets and fifos skipped. Large files whose
 * start barely compresses go last, after {@link ArchiveSink#denseFromHere()} (entry order does not matter to
 * a restore: parents are created as needed and directory modes are set at the end).
 * <p>
 * A live store is copied consistently file by file: SQLite databases through the online backup API
 * ({@link SqliteSnapshot}, their WAL and shared-memory files folded in, not stored), small files re-read until
 * stable, and a large file that changes while it is read fails the backup rather than being stored torn.
 */
final class DirectoryArchive {

    private DirectoryArchive() {
    }

    /** Bytes of regular files under {@code root}, for progress. */
    static long size(Path root) throws IOException {
        AtomicLong total = new AtomicLong();
        Files.walkFileTree(root, EnumSet.noneOf(java.nio.file.FileVisitOption.class), Integer.MAX_VALUE, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                if (attrs.isRegularFile()) total.addAndGet(attrs.size());
                return FileVisitResult.CONTINUE;
            }
        });
        return total.get();
    }

    /** What the archive holds: regular files and their bytes (what a restore must give back exactly). */
    record Written(long files, long bytes) {
    }

    /** Files below this size are read into memory until stable ({@link #writeStaged}); larger ones are streamed. */
    static final long STAGED_BELOW = 16 * 1024 * 1024;
    private static final int STABLE_READ_ATTEMPTS = 20;
    /** Files from this size on are sampled for {@link ArchiveSink#isDense}. */
    static final long SAMPLED_FROM = 1024 * 1024;
    private static final int SAMPLE = 128 * 1024;
    /** Only ever read: one buffer for every unchanged file's stand-in content. */
    private static final byte[] ZEROS = new byte[64 * 1024];

    static Written write(Path root, ArchiveSink out, SqliteSnapshot.Databases databases) throws IOException {
        AtomicLong files = new AtomicLong();
        AtomicLong bytes = new AtomicLong();
        List<Path> dense = new ArrayList<>();
        // records go to the sink as they are made (512-byte blocks): a content's start is where the sink is told
        TarArchiveOutputStream tar = new TarArchiveOutputStream(out, TarConstants.DEFAULT_RCDSIZE);
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
        Files.walkFileTree(root, EnumSet.noneOf(java.nio.file.FileVisitOption.class), Integer.MAX_VALUE, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                if (!dir.equals(root)) {
                    TarArchiveEntry entry = new TarArchiveEntry(name(root, dir) + "/", TarConstants.LF_DIR);
                    describe(entry, dir);
                    tar.putArchiveEntry(entry);
                    tar.closeArchiveEntry();
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                String name = name(root, file);
                if (attrs.isSymbolicLink()) {
                    TarArchiveEntry entry = new TarArchiveEntry(name, TarConstants.LF_SYMLINK);
                    entry.setLinkName(Files.readSymbolicLink(file).toString());
                    describe(entry, file);
                    tar.putArchiveEntry(entry);
                    tar.closeArchiveEntry();
                } else if (attrs.isRegularFile()) {
                    if (databases.isCompanion(file)) {
                        return FileVisitResult.CONTINUE; // folded into its database's snapshot
                    }
                    if (databases.isDatabase(file)) {
                        bytes.addAndGet(writeSqliteSnapshot(tar, out, root, file));
                    } else if (attrs.size() >= SAMPLED_FROM && startsDense(file)) {
                        dense.add(file);
                        return FileVisitResult.CONTINUE;
                    } else {
                        bytes.addAndGet(writeRegular(tar, out, root, file));
                    }
                    files.incrementAndGet();
                }
                return FileVisitResult.CONTINUE;
            }
        });
        if (!dense.isEmpty()) {
            out.denseFromHere();
            for (Path file : dense) {
                bytes.addAndGet(writeRegular(tar, out, root, file));
                files.incrementAndGet();
            }
        }
        tar.finish();
        return new Written(files.get(), bytes.get());
    }

    /**
     * Stores one regular file: staged in memory when small, else streamed; returns its size. A file from
     * {@link #SAMPLED_FROM} on that the sink holds already, unchanged since the last backup, is not read at all.
     */
    private static long writeRegular(TarArchiveOutputStream tar, ArchiveSink out, Path root, Path file) throws IOException {
        long size = Files.size(file);
        FileIdentity identity = size >= SAMPLED_FROM ? FileIdentity.of(file) : null;
        if (identity != null && out.held(name(root, file), identity) >= 0) {
            putFileEntry(tar, out, root, file, identity.size(), identity);
            writeZeros(tar, identity.size());
            tar.closeArchiveEntry();
            return identity.size();
        }
        // what the next backup may skip this file by: not an identity a write within the same clock tick keeps
        FileIdentity remembered = identity != null && identity.settled() ? identity : null;
        return size < STAGED_BELOW ? writeStaged(tar, out, root, file, remembered) : writeFile(tar, out, root, file, remembered);
    }

    /** The content of a file the sink holds: zeros it does not store, so the tar stays exact. */
    private static void writeZeros(TarArchiveOutputStream tar, long size) throws IOException {
        for (long left = size; left > 0; left -= ZEROS.length) {
            tar.write(ZEROS, 0, (int) Math.min(left, ZEROS.length));
        }
    }

    /**
     * Stores one large regular file straight from disk; returns its size. It must not change while it is read
     * (size, modification time and inode compared before and after): a torn copy is refused, never stored.
     */
    private static long writeFile(TarArchiveOutputStream tar, ArchiveSink out, Path root, Path file, FileIdentity identity)
            throws IOException {
        FileState before = FileState.of(file);
        putFileEntry(tar, out, root, file, before.size(), identity != null && identity.size() == before.size() ? identity : null);
        try (var in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
            long copied = in.transferTo(tar);
            if (copied != before.size() || !FileState.of(file).equals(before)) {
                throw new IOException(file + " changed while it was archived (a live writer); files under "
                        + STAGED_BELOW / (1024 * 1024) + " MiB are re-read until stable, larger ones need their writer "
                        + "paused: add a preHook to the source");
            }
        }
        tar.closeArchiveEntry();
        return before.size();
    }

    /**
     * Stores a small file from memory, read until two reads in a row agree and its size, modification time and
     * inode did not move meanwhile (a file rewritten in place, as HNSW segment headers are, is never stored torn).
     */
    private static long writeStaged(TarArchiveOutputStream tar, ArchiveSink out, Path root, Path file, FileIdentity identity)
            throws IOException {
        byte[] content = null;
        for (int attempt = 1; attempt <= STABLE_READ_ATTEMPTS && content == null; attempt++) {
            FileState before = FileState.of(file);
            byte[] first = Files.readAllBytes(file);
            byte[] second = Files.readAllBytes(file);
            if (first.length == before.size() && Arrays.equals(first, second) && FileState.of(file).equals(before)) {
                content = first;
            } else {
                pause(attempt);
            }
        }
        if (content == null) {
            throw new IOException(file + " kept changing while it was read (" + STABLE_READ_ATTEMPTS + " attempts); "
                    + "pause its writer with a preHook on the source");
        }
        // what the next backup may skip: only the identity the stored content had from before the first read on
        boolean same = identity != null && identity.equals(FileIdentity.of(file)) && identity.size() == content.length;
        putFileEntry(tar, out, root, file, content.length, same ? identity : null);
        tar.write(content);
        tar.closeArchiveEntry();
        return content.length;
    }

    /**
     * Stores a consistent copy of a live SQLite database ({@link SqliteSnapshot}) under the database's name. A
     * database whose files did not change since the last backup's copy ({@link SqliteSnapshot#identity}) is not
     * copied again: that copy's content is taken.
     */
    private static long writeSqliteSnapshot(TarArchiveOutputStream tar, ArchiveSink out, Path root, Path database) throws IOException {
        FileIdentity before = SqliteSnapshot.identity(database);
        long held = before == null ? -1 : out.held(name(root, database), before);
        if (held >= 0) {
            putFileEntry(tar, out, root, database, held, before.withSize(held));
            writeZeros(tar, held);
            tar.closeArchiveEntry();
            return held;
        }
        try (SqliteSnapshot.Snapshot snapshot = SqliteSnapshot.open(database)) {
            long size = snapshot.size();
            // remembered only when no write moved the database's files since the snapshot began, nor a clock tick before it
            boolean same = before != null && before.settled() && before.equals(SqliteSnapshot.identity(database));
            putFileEntry(tar, out, root, database, size, same ? before.withSize(size) : null);
            try (InputStream in = snapshot.content()) {
                in.transferTo(tar);
            }
            tar.closeArchiveEntry();
            return size;
        }
    }

    /**
     * Opens the tar entry of regular file {@code file} ({@code size} bytes, its mode and time); the caller writes
     * it. The sink is told where a large file's content starts ({@code identity}: what it was when read, or null).
     */
    private static void putFileEntry(TarArchiveOutputStream tar, ArchiveSink out, Path root, Path file, long size,
                                     FileIdentity identity) throws IOException {
        TarArchiveEntry entry = new TarArchiveEntry(name(root, file), TarConstants.LF_NORMAL);
        describe(entry, file);
        entry.setSize(size);
        tar.putArchiveEntry(entry);
        if (size >= SAMPLED_FROM) {
            out.contentFollows(name(root, file), identity, size);
        }
    }

    /** What says a file changed: its size, modification time and inode. */
    private record FileState(long size, FileTime modified, Object inode) {
        static FileState of(Path file) throws IOException {
            BasicFileAttributes attrs = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (!attrs.isRegularFile()) {
                throw new IOException(file + " stopped being a regular file while it was archived; pause its writer with a preHook");
            }
            return new FileState(attrs.size(), attrs.lastModifiedTime(), attrs.fileKey());
        }
    }

    private static void pause(int attempt) throws IOException {
        try {
            Thread.sleep(10L * attempt);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for a file to stop changing", e);
        }
    }

    private static boolean startsDense(Path file) throws IOException {
        byte[] sample = new byte[SAMPLE];
        int n;
        try (var in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
            n = in.readNBytes(sample, 0, SAMPLE);
        }
        return ArchiveSink.isDense(sample, n);
    }

    private static String name(Path root, Path path) {
        return root.relativize(path).toString().replace('\\', '/');
    }

    private static void describe(TarArchiveEntry entry, Path path) throws IOException {
        PosixFileAttributes attrs = Files.readAttributes(path, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        entry.setMode(mode(attrs.permissions()) | (entry.isDirectory() ? 0040000 : entry.isSymbolicLink() ? 0120000 : 0100000));
        entry.setModTime(attrs.lastModifiedTime().toMillis());
    }

    static int mode(Set<PosixFilePermission> permissions) {
        int mode = 0;
        for (PosixFilePermission p : permissions) {
            mode |= switch (p) {
                case OWNER_READ -> 0400;
                case OWNER_WRITE -> 0200;
                case OWNER_EXECUTE -> 0100;
                case GROUP_READ -> 040;
                case GROUP_WRITE -> 020;
                case GROUP_EXECUTE -> 010;
                case OTHERS_READ -> 04;
                case OTHERS_WRITE -> 02;
                case OTHERS_EXECUTE -> 01;
            };
        }
        return mode;
    }
}

package io.lifeboat.backup.backup;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Writes a directory as a POSIX tar stream: file modes and modification times kept, symbolic links stored as
 * links (never followed, so nothing outside the directory is read), sockets and fifos skipped.
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

    static Written write(Path root, OutputStream out) throws IOException {
        AtomicLong files = new AtomicLong();
        AtomicLong bytes = new AtomicLong();
        TarArchiveOutputStream tar = new TarArchiveOutputStream(out);
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
                    TarArchiveEntry entry = new TarArchiveEntry(name, TarConstants.LF_NORMAL);
                    describe(entry, file);
                    entry.setSize(attrs.size());
                    tar.putArchiveEntry(entry);
                    try (var in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
                        long copied = in.transferTo(tar);
                        if (copied != attrs.size()) {
                            throw new IOException(file + " changed size while it was archived (" + attrs.size() + " -> "
                                    + copied + " bytes); stop its writer with a preHook");
                        }
                    }
                    tar.closeArchiveEntry();
                    files.incrementAndGet();
                    bytes.addAndGet(attrs.size());
                }
                return FileVisitResult.CONTINUE;
            }
        });
        tar.finish();
        return new Written(files.get(), bytes.get());
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

package io.lifeboat.backup.backup;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Writes a directory as a POSIX tar stream: file modes and modification times kept, symbolic links stored as
 * links (never followed, so nothing outside the directory is read), sockets and fifos skipped. Large files whose
 * start barely compresses go last, after {@link CompressingSink#denseFromHere()} (entry order does not matter to
 * a restore: parents are created as needed and directory modes are set at the end).
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

    /** Files from this size on are sampled for {@link CompressingSink#isDense}. */
    static final long SAMPLED_FROM = 1024 * 1024;
    private static final int SAMPLE = 128 * 1024;

    static Written write(Path root, CompressingSink out) throws IOException {
        AtomicLong files = new AtomicLong();
        AtomicLong bytes = new AtomicLong();
        List<Path> dense = new ArrayList<>();
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
                    if (attrs.size() >= SAMPLED_FROM && startsDense(file)) {
                        dense.add(file);
                    } else {
                        bytes.addAndGet(writeFile(tar, root, file));
                        files.incrementAndGet();
                    }
                }
                return FileVisitResult.CONTINUE;
            }
        });
        if (!dense.isEmpty()) {
            out.denseFromHere();
            for (Path file : dense) {
                bytes.addAndGet(writeFile(tar, root, file));
                files.incrementAndGet();
            }
        }
        tar.finish();
        return new Written(files.get(), bytes.get());
    }

    /** Stores one regular file; returns its size. */
    private static long writeFile(TarArchiveOutputStream tar, Path root, Path file) throws IOException {
        BasicFileAttributes attrs = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (!attrs.isRegularFile()) {
            throw new IOException(file + " stopped being a regular file while it was archived; stop its writer with a preHook");
        }
        TarArchiveEntry entry = new TarArchiveEntry(name(root, file), TarConstants.LF_NORMAL);
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
        return attrs.size();
    }

    private static boolean startsDense(Path file) throws IOException {
        byte[] sample = new byte[SAMPLE];
        int n;
        try (var in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
            n = in.readNBytes(sample, 0, SAMPLE);
        }
        return CompressingSink.isDense(sample, n);
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

package io.lifeboat.restore.restore;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Extracts a directory backup (tar) into a fresh folder beside the target, refusing entries that would land
 * outside it, restoring modes, times and symbolic links (created as links, never followed).
 */
final class DirectoryRestorer {

    /** What the archive held: regular files and their bytes, for the verify step. */
    record Extracted(long files, long bytes, long directories, long symlinks) {
    }

    private DirectoryRestorer() {
    }

    static Extracted extract(InputStream tarStream, Path into) throws IOException, RestoreFailure {
        Files.createDirectories(into);
        long files = 0, bytes = 0, dirs = 0, links = 0;
        List<TarArchiveEntry> directories = new ArrayList<>();
        TarArchiveInputStream tar = new TarArchiveInputStream(tarStream);
        TarArchiveEntry entry;
        while ((entry = tar.getNextEntry()) != null) {
            Path path = into.resolve(entry.getName()).normalize();
            if (!path.startsWith(into) || path.equals(into) && !entry.isDirectory()) {
                throw new RestoreFailure("extract", "archive entry '" + entry.getName() + "' would land outside the restore folder");
            }
            if (entry.isDirectory()) {
                Files.createDirectories(path);
                directories.add(entry);
                dirs++;
            } else if (entry.isSymbolicLink()) {
                Files.createDirectories(path.getParent());
                Files.createSymbolicLink(path, Path.of(entry.getLinkName()));
                links++;
            } else if (entry.isFile()) {
                Files.createDirectories(path.getParent());
                long copied = Files.copy(tar, path);
                Files.setPosixFilePermissions(path, permissions(entry.getMode()));
                Files.setLastModifiedTime(path, FileTime.from(entry.getModTime().toInstant()));
                files++;
                bytes += copied;
            }
        }
        // directory modes last: a read-only directory must still receive its files first
        for (TarArchiveEntry dir : directories) {
            Path path = into.resolve(dir.getName()).normalize();
            Files.setPosixFilePermissions(path, permissions(dir.getMode()));
            Files.setLastModifiedTime(path, FileTime.from(dir.getModTime().toInstant()));
        }
        return new Extracted(files, bytes, dirs, links);
    }

    /** {@code <path>_corrupted_<yyyyMMdd>}, with the time added when that name is taken. */
    static Path moveAsideName(Path target, java.time.Instant now) {
        String day = java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd").withZone(java.time.ZoneOffset.UTC).format(now);
        Path candidate = target.resolveSibling(target.getFileName() + "_corrupted_" + day);
        if (!Files.exists(candidate, LinkOption.NOFOLLOW_LINKS)) {
            return candidate;
        }
        String time = java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd_HHmmss").withZone(java.time.ZoneOffset.UTC).format(now);
        return target.resolveSibling(target.getFileName() + "_corrupted_" + time);
    }

    /** Atomic rename within the parent folder. */
    static void rename(Path from, Path to) throws IOException {
        if (Files.exists(to, LinkOption.NOFOLLOW_LINKS)) {
            throw new FileAlreadyExistsException(to.toString());
        }
        Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Deletes a folder this restore created itself (the extraction folder), never the target. */
    static void deleteOwn(Path folder) {
        if (!Files.exists(folder, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(folder)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                        p.toFile().setWritable(true);
                    }
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // best effort: the folder name marks it as a restore leftover
                }
            });
        } catch (IOException ignored) {
            // best effort
        }
    }

    static Set<PosixFilePermission> permissions(int mode) {
        Set<PosixFilePermission> set = EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] order = {PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE,
                PosixFilePermission.OTHERS_READ, PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE,
                PosixFilePermission.GROUP_READ, PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE,
                PosixFilePermission.OWNER_READ};
        for (int i = 0; i < order.length; i++) {
            if ((mode & (1 << i)) != 0) set.add(order[i]);
        }
        return set;
    }
}

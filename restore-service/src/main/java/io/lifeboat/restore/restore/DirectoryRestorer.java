package io.lifeboat.restore.restore;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Extracts a directory backup (tar) into a fresh folder beside the target, never writing outside it: no entry
 * name may leave the folder, no symbolic link is ever followed while creating parents or files, links may only
 * point inside the folder, and device files, duplicate paths and hard links to outside are refused. Modes and
 * times are restored. The folder is marked as the restore's own, and only that mark lets Lifeboat delete it.
 */
final class DirectoryRestorer {

    /** What the archive held: regular files and their bytes, for the verify step. */
    record Extracted(long files, long bytes, long directories, long symlinks) {
    }

    private DirectoryRestorer() {
    }

    /** The ownership mark beside a folder a restore creates: a file holding the restore's id. */
    static Path ownerMarkOf(Path folder) {
        return folder.resolveSibling(folder.getFileName() + ".lifeboat-owner");
    }

    /** Creates {@code folder} as {@code restoreId}'s own: fails if it (or its mark) exists already. */
    static void createOwn(Path folder, String restoreId) throws IOException {
        Files.writeString(ownerMarkOf(folder), restoreId, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        Files.createDirectory(folder);
    }

    /** The folder is the target's data now: no restore may delete it as its own. */
    static void release(Path folder) throws IOException {
        Files.deleteIfExists(ownerMarkOf(folder));
    }

    static Extracted extract(InputStream tarStream, Path into) throws IOException, RestoreFailure {
        Path root = into.toRealPath();
        long files = 0, bytes = 0, dirs = 0, links = 0;
        Set<Path> seen = new HashSet<>();
        List<TarArchiveEntry> directories = new ArrayList<>();
        TarArchiveInputStream tar = new TarArchiveInputStream(tarStream);
        byte[] buffer = new byte[StreamCopy.BUFFER_BYTES];
        TarArchiveEntry entry;
        while ((entry = tar.getNextEntry()) != null) {
            Path relative = relative(entry.getName());
            if (!seen.add(relative)) {
                throw refuse(entry, "appears twice in the archive");
            }
            Path path = root.resolve(relative);
            Path parent = createParents(root, relative, entry);
            if (entry.isBlockDevice() || entry.isCharacterDevice() || entry.isFIFO()) {
                throw refuse(entry, "is a device file or fifo; a Lifeboat backup never holds one");
            } else if (entry.isDirectory()) {
                if (!Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
                    Files.createDirectory(path);
                }
                directories.add(entry);
                dirs++;
            } else if (entry.isSymbolicLink()) {
                Path linkTarget = Path.of(entry.getLinkName());
                if (linkTarget.isAbsolute() || !parent.resolve(linkTarget).normalize().startsWith(root)) {
                    throw refuse(entry, "is a link to " + entry.getLinkName() + ", outside the restore folder");
                }
                Files.createSymbolicLink(path, linkTarget);
                links++;
            } else if (entry.isLink()) {
                Path linked;
                try {
                    linked = relative(entry.getLinkName());
                } catch (RestoreFailure outside) {
                    throw refuse(entry, "is a hard link to " + entry.getLinkName() + ", outside the restore folder");
                }
                Path source = root.resolve(linked);
                if (!Files.isRegularFile(source, LinkOption.NOFOLLOW_LINKS)) {
                    throw refuse(entry, "is a hard link to " + entry.getLinkName() + ", not to a file extracted before it");
                }
                Files.createLink(path, source);
                files++;
                bytes += Files.size(source);
            } else if (entry.isFile()) {
                try (OutputStream out = Files.newOutputStream(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                        LinkOption.NOFOLLOW_LINKS)) {
                    bytes += StreamCopy.copy(tar, out, buffer);
                }
                Files.setPosixFilePermissions(path, permissions(entry.getMode()));
                Files.setLastModifiedTime(path, FileTime.from(entry.getModTime().toInstant()));
                files++;
            } else {
                throw refuse(entry, "is a device file, fifo or other special file; a Lifeboat backup never holds one");
            }
        }
        // directory modes last: a read-only directory must still receive its files first
        for (TarArchiveEntry dir : directories) {
            Path path = root.resolve(relative(dir.getName()));
            Files.setPosixFilePermissions(path, permissions(dir.getMode()));
            Files.setLastModifiedTime(path, FileTime.from(dir.getModTime().toInstant()));
        }
        return new Extracted(files, bytes, dirs, links);
    }

    /** An entry's name as a path inside the folder; refused when empty, absolute or climbing out with "..". */
    private static Path relative(String name) throws RestoreFailure {
        String trimmed = name.endsWith("/") ? name.substring(0, name.length() - 1) : name;
        Path path = Path.of(trimmed).normalize();
        if (trimmed.isEmpty() || path.isAbsolute() || path.toString().isEmpty() || path.startsWith("..")) {
            throw new RestoreFailure("download-and-extract", "archive entry '" + name + "' would land outside the restore folder");
        }
        return path;
    }

    /** Creates the missing parent folders one by one; an existing parent must be a real folder, never a link. */
    private static Path createParents(Path root, Path relative, TarArchiveEntry entry) throws IOException, RestoreFailure {
        Path current = root;
        Path parents = relative.getParent();
        if (parents == null) {
            return root;
        }
        for (Path part : parents) {
            current = current.resolve(part);
            if (Files.isSymbolicLink(current)) {
                throw refuse(entry, "would be written through the link " + root.relativize(current));
            }
            if (!Files.exists(current, LinkOption.NOFOLLOW_LINKS)) {
                Files.createDirectory(current);
            } else if (!Files.isDirectory(current, LinkOption.NOFOLLOW_LINKS)) {
                throw refuse(entry, "needs " + root.relativize(current) + " to be a folder, but it is a file");
            }
        }
        return current;
    }

    private static RestoreFailure refuse(TarArchiveEntry entry, String why) {
        return new RestoreFailure("download-and-extract", "archive entry '" + entry.getName() + "' " + why + "; the restore was refused");
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

    /**
     * Deletes a folder only when its ownership mark names {@code restoreId} (the extraction folder of that
     * restore), never anything else. Returns whether it did.
     */
    static boolean deleteOwn(Path folder, String restoreId) {
        Path mark = ownerMarkOf(folder);
        try {
            if (!Files.isRegularFile(mark, LinkOption.NOFOLLOW_LINKS) || !Files.readString(mark).strip().equals(restoreId)) {
                return false;
            }
        } catch (IOException e) {
            return false;
        }
        if (!Files.exists(folder, LinkOption.NOFOLLOW_LINKS)) {
            try {
                Files.deleteIfExists(mark);
            } catch (IOException ignored) {
                // a stray mark deletes nothing
            }
            return true;
        }
        try (Stream<Path> walk = Files.walk(folder)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                        p.toFile().setWritable(true);
                    }
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // best effort: the mark stays, so the leftover is still known as this restore's
                }
            });
            if (!Files.exists(folder, LinkOption.NOFOLLOW_LINKS)) {
                Files.deleteIfExists(mark);
            }
        } catch (IOException ignored) {
            // best effort
        }
        return true;
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

package io.lifeboat.backup.storage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;

/**
 * What says a file is unchanged since the last backup without reading it (as restic and borg decide): size,
 * modification time, status-change time and inode. A writer can set mtime back, but not ctime: any write moves it.
 */
public record FileIdentity(long size, long mtimeNanos, long ctimeNanos, String inode) {

    /**
     * How long before it is read a file must have last changed for its identity to be trusted next time. File times
     * move in clock ticks (milliseconds on Linux, a second or two on some filesystems): a file written again within
     * the tick its read began in keeps the identity it had, and the next backup would skip the second write (borg
     * does not cache such files either).
     */
    static final long SETTLE_NANOS = 1_000_000_000L;

    /** The same identity, for content of {@code bytes} bytes (a database snapshot's size is known once taken). */
    public FileIdentity withSize(long bytes) {
        return new FileIdentity(bytes, mtimeNanos, ctimeNanos, inode);
    }

    /** Whether the file last changed long enough before now that a later change must move its identity. */
    public boolean settled() {
        long now = java.time.Instant.now().toEpochMilli() * 1_000_000L;
        return Math.max(mtimeNanos, ctimeNanos) < now - SETTLE_NANOS;
    }

    public static FileIdentity of(Path file) throws IOException {
        var attrs = Files.readAttributes(file, "unix:size,lastModifiedTime,ctime,ino", LinkOption.NOFOLLOW_LINKS);
        return new FileIdentity((Long) attrs.get("size"), nanos((FileTime) attrs.get("lastModifiedTime")),
                nanos((FileTime) attrs.get("ctime")), String.valueOf(attrs.get("ino")));
    }

    private static long nanos(FileTime time) {
        return time.to(java.util.concurrent.TimeUnit.NANOSECONDS);
    }
}

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
     * move in clock ticks: a file written again within the tick its read began in keeps the identity it had, and the
     * next backup would skip that write (borg does not cache such files either). On Linux a tick is a jiffy (at most
     * 10 ms, times kept to the nanosecond); a filesystem that keeps whole seconds (FAT keeps two) gets two seconds.
     */
    static final long SETTLE_NANOS = 50_000_000L;
    static final long SETTLE_WHOLE_SECONDS_NANOS = 2_000_000_000L;
    private static final long SECOND = 1_000_000_000L;

    /** The same identity, for content of {@code bytes} bytes (a database snapshot's size is known once taken). */
    public FileIdentity withSize(long bytes) {
        return new FileIdentity(bytes, mtimeNanos, ctimeNanos, inode);
    }

    /** Whether the file last changed long enough before now that a later change must move its identity. */
    public boolean settled() {
        java.time.Instant clock = java.time.Instant.now();
        long now = clock.getEpochSecond() * SECOND + clock.getNano();
        boolean wholeSeconds = mtimeNanos % SECOND == 0 && ctimeNanos % SECOND == 0;
        return Math.max(mtimeNanos, ctimeNanos) < now - (wholeSeconds ? SETTLE_WHOLE_SECONDS_NANOS : SETTLE_NANOS);
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

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

    public static FileIdentity of(Path file) throws IOException {
        var attrs = Files.readAttributes(file, "unix:size,lastModifiedTime,ctime,ino", LinkOption.NOFOLLOW_LINKS);
        return new FileIdentity((Long) attrs.get("size"), nanos((FileTime) attrs.get("lastModifiedTime")),
                nanos((FileTime) attrs.get("ctime")), String.valueOf(attrs.get("ino")));
    }

    private static long nanos(FileTime time) {
        return time.to(java.util.concurrent.TimeUnit.NANOSECONDS);
    }
}

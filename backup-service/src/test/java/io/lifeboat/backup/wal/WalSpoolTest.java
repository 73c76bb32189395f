package io.lifeboat.backup.wal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** What is left in the WAL spool of a source that is no longer continuous: empty folders go, segments never do. */
class WalSpoolTest {

    private static final String SEGMENT = "000000010000000000000003";

    @TempDir
    Path root;

    @Test
    void retiringASourceRemovesItsEmptyFoldersAndKeepsASegmentNoBucketHas() throws Exception {
        WalSpool spool = new WalSpool(root);
        spool.folder("gone", "7001");
        spool.folder("gone", "7002");
        Path unstored = Files.write(spool.folder("stuck", "7003").resolve(SEGMENT), new byte[]{1, 2, 3});

        spool.retire("gone");
        spool.retire("stuck");
        spool.retire("never-streamed");

        assertThat(root.resolve("gone")).doesNotExist();
        assertThat(unstored).as("WAL that is in no bucket").hasBinaryContent(new byte[]{1, 2, 3});
    }

    @Test
    void theSweepRemovesOnlyIdleEmptyFoldersOfSourcesThatAreNotContinuous() throws Exception {
        WalSpool spool = new WalSpool(root);
        Path deletedLongAgo = idle(spool.folder("deleted", "7001"));
        idle(deletedLongAgo.getParent());
        Path stillContinuous = idle(spool.folder("streamed", "7002"));
        Path justCreated = spool.folder("new-elsewhere", "7003"); // another instance's stream, started just now
        Path unstored = Files.write(spool.folder("stuck", "7004").resolve(SEGMENT), new byte[]{1});
        idle(unstored.getParent());

        spool.sweep(Set.of("streamed"), Duration.ofMinutes(1));

        assertThat(root.resolve("deleted")).doesNotExist();
        assertThat(stillContinuous).isDirectory();
        assertThat(justCreated).isDirectory();
        assertThat(unstored).exists();
    }

    private static Path idle(Path dir) throws Exception {
        Files.setLastModifiedTime(dir, FileTime.from(Instant.now().minus(Duration.ofMinutes(5))));
        return dir;
    }
}

package io.lifeboat.restore;

import io.lifeboat.testsupport.Scratch;
import io.lifeboat.events.storage.BackupManifest;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.S3Client;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.stream.Stream;

import static io.lifeboat.restore.RealServers.as;
import static io.lifeboat.restore.Restores.finished;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.anyOf;
import static org.hamcrest.Matchers.is;

/**
 * Anyone who can write the bucket can craft an archive; extraction must still never write outside the restore's
 * own folder: no link followed, no link out, no hard link out, no device file, no path twice. And what a directory
 * restore brings back is exactly what the backup recorded (file count and bytes), not "some files".
 */
@QuarkusTest
class ArchivesStayInsideTheirTargetTest {

    @Inject
    S3Client s3;

    private Path parent;
    private Path home;
    private Path outside;

    @BeforeEach
    void folders() throws Exception {
        BackupFixtures.ensureBucket(s3);
        parent = Scratch.directory("archive-attack");
        home = parent.resolve("vectors");
        Files.createDirectories(home);
        outside = Scratch.directory("archive-outside");
    }

    private interface Entries {
        void write(TarArchiveOutputStream tar) throws Exception;
    }

    private static void file(TarArchiveOutputStream tar, String name, String content) throws Exception {
        byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
        TarArchiveEntry e = new TarArchiveEntry(name);
        e.setSize(bytes.length);
        e.setMode(0100644);
        tar.putArchiveEntry(e);
        tar.write(bytes);
        tar.closeArchiveEntry();
    }

    private static void special(TarArchiveOutputStream tar, String name, byte type, String linkName) throws Exception {
        TarArchiveEntry e = new TarArchiveEntry(name, type);
        if (linkName != null) e.setLinkName(linkName);
        e.setMode(0120777);
        tar.putArchiveEntry(e);
        tar.closeArchiveEntry();
    }

    /** Stores the crafted archive as a signed backup of source {@code source}, recording {@code files}/{@code bytes}. */
    private void backup(String source, long files, long bytes, Entries entries) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            entries.write(tar);
        }
        BackupFixtures.store(s3, source, "directory", out.toByteArray(), Instant.now().truncatedTo(ChronoUnit.MICROS), null,
                "/srv/crafted/" + source, Map.of(), null, false, new long[]{files, bytes});
        as("admin").contentType(ContentType.JSON).body("{\"kind\": \"directory\", \"path\": \"" + home + "\"}")
                .put("/targets/" + source).then().statusCode(anyOf(is(200), is(201)));
    }

    private JsonPath restore(String source) {
        String id = as("operator").contentType(ContentType.JSON)
                .body("{\"source\": \"" + source + "\", \"target\": \"" + source + "\", \"mode\": \"new\", \"restoreAs\": \"copy\"}")
                .post("/restores").then().statusCode(202).extract().path("id");
        return finished(id);
    }

    private void refusedAndNothingOutside(String source, String reason) throws Exception {
        JsonPath r = restore(source);
        assertThat(r.getString("phase")).as(r.prettify()).isEqualTo("Failed");
        assertThat(r.getString("failedStep")).isEqualTo("download-and-extract");
        assertThat(r.getString("error")).contains(reason);
        try (Stream<Path> left = Files.list(outside)) {
            assertThat(left).as("nothing may be written outside the restore folder").isEmpty();
        }
        try (Stream<Path> left = Files.list(parent)) {
            assertThat(left.map(p -> p.getFileName().toString())).containsExactly("vectors");
        }
    }

    @Test
    void aLinkOutFollowedByAFileThroughItIsRefused() throws Exception {
        backup("link-through", 1, 5, tar -> {
            special(tar, "evil", TarConstants.LF_SYMLINK, outside.toString());
            file(tar, "evil/planted", "owned");
        });
        refusedAndNothingOutside("link-through", "evil");
    }

    @Test
    void aRelativeLinkClimbingOutIsRefused() throws Exception {
        backup("link-climb", 0, 0, tar -> special(tar, "seg/up", TarConstants.LF_SYMLINK, "../../../../../../etc"));
        refusedAndNothingOutside("link-climb", "outside the restore folder");
    }

    @Test
    void aHardLinkToOutsideIsRefused() throws Exception {
        Files.writeString(outside.resolve("secret"), "secret");
        backup("hardlink-out", 1, 6, tar -> special(tar, "stolen", TarConstants.LF_LINK, outside.resolve("secret").toString()));
        JsonPath r = restore("hardlink-out");
        assertThat(r.getString("phase")).isEqualTo("Failed");
        assertThat(r.getString("error")).contains("stolen");
        try (Stream<Path> left = Files.list(parent)) {
            assertThat(left.map(p -> p.getFileName().toString())).containsExactly("vectors");
        }
    }

    @Test
    void aDeviceFileIsRefused() throws Exception {
        backup("device", 0, 0, tar -> special(tar, "disk", TarConstants.LF_BLK, null));
        refusedAndNothingOutside("device", "device file");
    }

    @Test
    void aPathTwiceIsRefused() throws Exception {
        backup("twice", 1, 4, tar -> {
            file(tar, "a.bin", "good");
            file(tar, "a.bin", "evil");
        });
        refusedAndNothingOutside("twice", "appears twice");
    }

    @Test
    void aLinkPointingInsideIsRestoredAsALink() throws Exception {
        backup("link-inside", 1, 4, tar -> {
            file(tar, "seg/data.bin", "data");
            special(tar, "latest", TarConstants.LF_SYMLINK, "seg/data.bin");
        });
        JsonPath r = restore("link-inside");
        assertThat(r.getString("phase")).as(r.prettify()).isEqualTo("Completed");
        Path copy = Path.of(r.getString("restoredAs"));
        assertThat(Files.isSymbolicLink(copy.resolve("latest"))).isTrue();
        assertThat(Files.readString(copy.resolve("latest"))).isEqualTo("data");
    }

    @Test
    void verifyComparesFileCountAndBytesExactly() throws Exception {
        // the manifest says three files were backed up; the archive gives back one
        backup("short", 3, 12, tar -> file(tar, "only.bin", "four"));
        JsonPath r = restore("short");
        assertThat(r.getString("phase")).as(r.prettify()).isEqualTo("Failed");
        assertThat(r.getString("failedStep")).isEqualTo("verify");
        assertThat(r.getString("error")).contains("1 files (4 bytes)").contains("recorded 3 files (12 bytes)");
        assertThat(Files.exists(home.resolveSibling("copy"), LinkOption.NOFOLLOW_LINKS)).isFalse();
    }
}

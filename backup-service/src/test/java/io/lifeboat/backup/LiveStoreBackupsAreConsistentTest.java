package io.lifeboat.backup;

import io.lifeboat.testsupport.Scratch;
import com.github.luben.zstd.ZstdInputStream;
import io.lifeboat.bucket.S3Config;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;
import org.sqlite.SQLiteConfig;
import software.amazon.awssdk.services.s3.S3Client;

import java.io.ByteArrayInputStream;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static io.lifeboat.backup.Backups.*;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Backups of a ChromaDB-like directory while a real writer works on it: rows committed to {@code chroma.sqlite3}
 * in WAL mode (checkpointing as it goes) and a segment header rewritten in place. Every backup must hold a
 * database that passes {@code PRAGMA integrity_check} with a prefix of the committed rows, and a whole header.
 */
@QuarkusTest
class LiveStoreBackupsAreConsistentTest {

    private static final int HEADER_BYTES = 64 * 1024;
    private static final int BACKUPS = 4;

    @Inject
    S3Client s3;

    @Inject
    S3Config s3Config;

    @Test
    void backupsTakenWhileTheStoreIsWrittenRestoreToACommittedPrefixAndWholeFiles() throws Exception {
        Path root = Scratch.directory("lifeboat-live-chroma");
        Path database = root.resolve("chroma.sqlite3");
        Path header = Files.createDirectory(root.resolve("seg-1")).resolve("header.bin");
        Files.write(header, new byte[HEADER_BYTES]);
        Files.write(root.resolve("seg-1").resolve("data_level0.bin"), new byte[2 * 1024 * 1024]);
        try (Connection c = sqlite(database); Statement s = c.createStatement()) {
            s.execute("PRAGMA journal_mode=WAL");
            s.execute("CREATE TABLE embeddings (id INTEGER PRIMARY KEY, payload BLOB NOT NULL)");
        }
        putSource("live-chroma", "{\"kind\": \"directory\", \"path\": \"" + root + "\", \"retention\": {\"keepLast\": 10}}");

        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong committed = new AtomicLong();
        AtomicReference<Throwable> writerFailure = new AtomicReference<>();
        Thread writer = new Thread(() -> {
            try {
                write(database, header, stop, committed);
            } catch (Throwable t) {
                writerFailure.set(t);
            }
        }, "live-store-writer");
        writer.start();
        List<JsonPath> backups = new ArrayList<>();
        List<Long> committedBefore = new ArrayList<>();
        try {
            for (int i = 0; i < BACKUPS; i++) {
                committedBefore.add(committed.get());
                backups.add(finished(start("live-chroma")));
            }
        } finally {
            stop.set(true);
            writer.join();
        }
        assertThat(writerFailure.get()).isNull();

        for (int i = 0; i < BACKUPS; i++) {
            JsonPath backup = backups.get(i);
            assertThat(backup.getString("phase")).as(backup.prettify()).isEqualTo("Completed");
            Map<String, byte[]> files = files(backup.getString("objectKey"));
            assertThat(files.keySet()).contains("chroma.sqlite3", "seg-1/header.bin", "seg-1/data_level0.bin");
            byte[] headerCopy = files.get("seg-1/header.bin");
            assertThat(headerCopy).hasSize(HEADER_BYTES);
            for (byte b : headerCopy) {
                assertThat(b).as("the header was rewritten whole each time: a mix of two versions is a torn copy").isEqualTo(headerCopy[0]);
            }
            // every stored file back in a folder, as a restore puts them, and the database opened there
            Path folder = Scratch.directory("lifeboat-restored");
            for (Map.Entry<String, byte[]> file : files.entrySet()) {
                Files.createDirectories(folder.resolve(file.getKey()).getParent());
                Files.write(folder.resolve(file.getKey()), file.getValue());
            }
            try (Connection c = sqlite(folder.resolve("chroma.sqlite3")); Statement s = c.createStatement()) {
                try (ResultSet rs = s.executeQuery("PRAGMA integrity_check")) {
                    rs.next();
                    assertThat(rs.getString(1)).isEqualTo("ok");
                }
                try (ResultSet rs = s.executeQuery("SELECT count(*), coalesce(max(id), 0), "
                        + "coalesce(sum(length(payload) = 1024 AND CAST(substr(payload, 1, 8) AS TEXT) = printf('%08d', id)), 0) FROM embeddings")) {
                    rs.next();
                    long rows = rs.getLong(1);
                    // a prefix of the writes: rows 1..n, each whole, and at least what was committed before the backup began
                    assertThat(rs.getLong(2)).isEqualTo(rows);
                    assertThat(rs.getLong(3)).isEqualTo(rows);
                    assertThat(rows).isGreaterThanOrEqualTo(committedBefore.get(i));
                }
            }
            // the WAL was folded into the snapshot: a stored WAL beside it could only be from another moment
            assertThat(files.keySet()).doesNotContain("chroma.sqlite3-wal", "chroma.sqlite3-shm");
        }
        // the writer really ran during the backups: the last one holds rows the first did not
        assertThat(committed.get()).isGreaterThan(committedBefore.get(0));
        assertThat(committedBefore.get(BACKUPS - 1)).isGreaterThan(committedBefore.get(0));
    }

    @Test
    void aLargeFileRewrittenWhileItIsReadFailsTheBackupInsteadOfBeingStoredTorn() throws Exception {
        Path root = Scratch.directory("lifeboat-live-large");
        Path vectors = root.resolve("data_level0.bin");
        Files.write(vectors, new byte[32 * 1024 * 1024]); // above the size read into memory until stable: streamed
        putSource("live-large", "{\"kind\": \"directory\", \"path\": \"" + root + "\"}");
        AtomicBoolean stop = new AtomicBoolean();
        Thread writer = new Thread(() -> {
            byte[] block = new byte[64 * 1024];
            try (RandomAccessFile file = new RandomAccessFile(vectors.toFile(), "rw")) {
                for (long n = 0; !stop.get(); n++) {
                    Arrays.fill(block, (byte) n);
                    file.seek((n % 512) * block.length);
                    file.write(block);
                    Thread.sleep(1);
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, "large-file-writer");
        writer.start();
        try {
            JsonPath backup = finished(start("live-large"));
            assertThat(backup.getString("phase")).isEqualTo("Failed");
            assertThat(backup.getString("error")).contains("data_level0.bin changed while it was archived").contains("preHook");
        } finally {
            stop.set(true);
            writer.join();
        }
    }

    /** Commits one row at a time (each row n: 1 KiB starting with n) and rewrites the header in place every 20 rows. */
    private static void write(Path database, Path header, AtomicBoolean stop, AtomicLong committed) throws Exception {
        try (Connection c = sqlite(database); Statement s = c.createStatement();
             PreparedStatement insert = c.prepareStatement("INSERT INTO embeddings (id, payload) VALUES (?, ?)");
             RandomAccessFile headerFile = new RandomAccessFile(header.toFile(), "rw")) {
            s.execute("PRAGMA synchronous=NORMAL");
            s.execute("PRAGMA wal_autocheckpoint=50"); // checkpoints land in the middle of the backups
            byte[] page = new byte[4096];
            for (long id = 1; !stop.get(); id++) {
                byte[] payload = new byte[1024];
                Arrays.fill(payload, (byte) 'x');
                System.arraycopy(String.format("%08d", id).getBytes(), 0, payload, 0, 8);
                insert.setLong(1, id);
                insert.setBytes(2, payload);
                insert.executeUpdate();
                committed.set(id);
                if (id % 20 == 0) {
                    Arrays.fill(page, (byte) (id / 20));
                    headerFile.seek(0);
                    for (int written = 0; written < HEADER_BYTES; written += page.length) {
                        headerFile.write(page); // 16 writes: a reader in between sees two versions
                    }
                }
                Thread.sleep(1);
            }
        }
    }

    @Test
    void aDeclaredDatabaseWithAnyNameIsSnapshottedWithItsWalFoldedIn() throws Exception {
        Path root = Scratch.directory("lifeboat-declared-sqlite");
        Path database = Files.createDirectory(root.resolve("meta")).resolve("index.bin");
        try (Connection c = sqlite(database); Statement s = c.createStatement()) {
            s.execute("PRAGMA journal_mode=WAL");
            s.execute("PRAGMA wal_autocheckpoint=0"); // the rows stay in the WAL while the backup runs
            s.execute("CREATE TABLE embeddings (id INTEGER PRIMARY KEY, payload BLOB NOT NULL)");
            s.execute("WITH RECURSIVE n(v) AS (SELECT 1 UNION ALL SELECT v + 1 FROM n WHERE v < 500) "
                    + "INSERT INTO embeddings (id, payload) SELECT v, zeroblob(1024) FROM n");
            assertThat(Files.size(root.resolve("meta/index.bin-wal"))).isGreaterThan(500 * 1024);
            putSource("declared-sqlite", "{\"kind\": \"directory\", \"path\": \"" + root + "\", \"sqliteFiles\": [\"meta/*.bin\"]}");
            JsonPath backup = finished(start("declared-sqlite"));
            assertThat(backup.getString("phase")).as(backup.prettify()).isEqualTo("Completed");
            Map<String, byte[]> files = files(backup.getString("objectKey"));
            assertThat(files.keySet()).contains("meta/index.bin").doesNotContain("meta/index.bin-wal", "meta/index.bin-shm");
            Path restored = Scratch.directory("lifeboat-declared-restored").resolve("index.bin");
            Files.write(restored, files.get("meta/index.bin"));
            try (Connection r = sqlite(restored); Statement q = r.createStatement();
                 ResultSet rs = q.executeQuery("SELECT count(*) FROM embeddings")) {
                rs.next();
                assertThat(rs.getLong(1)).as("the rows that were only in the WAL").isEqualTo(500);
            }
        }
    }

    private Map<String, byte[]> files(String objectKey) throws Exception {
        byte[] stored = s3.getObjectAsBytes(r -> r.bucket(s3Config.bucket()).key(objectKey)).asByteArray();
        Map<String, byte[]> files = new HashMap<>();
        try (TarArchiveInputStream tar = new TarArchiveInputStream(new ZstdInputStream(new ByteArrayInputStream(stored)))) {
            TarArchiveEntry e;
            while ((e = tar.getNextEntry()) != null) {
                if (e.isFile()) files.put(e.getName(), tar.readAllBytes());
            }
        }
        return files;
    }

    /** A connection to the SQLite database in {@code file} (the driver named directly: no DriverManager lookup). */
    private static Connection sqlite(Path file) throws SQLException {
        return new SQLiteConfig().createConnection("jdbc:sqlite:" + file);
    }
}

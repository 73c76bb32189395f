package io.lifeboat.restore;

import io.lifeboat.testsupport.Scratch;
import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdOutputStream;
import io.lifeboat.bucket.wal.Lsn;
import io.lifeboat.bucket.wal.WalArchive;
import io.lifeboat.bucket.wal.WalCoverage;
import io.lifeboat.bucket.wal.WalObjectHeader;
import io.lifeboat.events.storage.BackupManifest;
import io.lifeboat.events.storage.PhysicalBackup;
import io.lifeboat.stack.PostgresServer;
import io.lifeboat.testsupport.TestServers;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Writes a continuous source into the real bucket in backup-service's format: a real pg_basebackup of the protected
 * cluster with its physical manifest, and its WAL, received by the real pg_receivewal over a replication slot, as
 * signed segment objects with measured coverage. restore-service's point-in-time path is tested against that.
 */
final class ContinuousFixtures implements AutoCloseable {

    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyy/MM/dd").withZone(ZoneOffset.UTC);

    final PostgresServer pg;
    final String source;
    final String database;
    private final String slot;
    private final Path walDir;
    private final Process receiver;
    private final Set<String> uploaded = new HashSet<>();

    private ContinuousFixtures(String source, String database) throws Exception {
        this.pg = TestServers.get().protectedPostgres();
        this.source = source;
        this.database = database;
        this.slot = "fixture_" + source.replace('-', '_');
        this.walDir = Scratch.directory("fixture-wal-");
        pg.createDatabase(database);
        sql("postgres", "SELECT pg_create_physical_replication_slot('" + slot + "', true) WHERE NOT EXISTS "
                + "(SELECT 1 FROM pg_replication_slots WHERE slot_name = '" + slot + "')");
        ProcessBuilder b = new ProcessBuilder(pg.binDir().resolve("pg_receivewal").toString(), "-h", "127.0.0.1", "-p",
                Integer.toString(pg.port()), "-U", PostgresServer.SUPERUSER, "-D", walDir.toString(), "--slot=" + slot,
                "--synchronous", "-s", "1", "-n").redirectErrorStream(true).redirectOutput(walDir.resolveSibling(walDir.getFileName() + ".log").toFile());
        b.environment().put("PGPASSWORD", pg.password());
        this.receiver = b.start();
    }

    static ContinuousFixtures start(String source, String database) throws Exception {
        return new ContinuousFixtures(source, database);
    }

    void sql(String db, String statements) throws Exception {
        try (Connection c = pg.connect(db); Statement s = c.createStatement()) {
            s.execute(statements);
        }
    }

    long count(String db, String query) throws Exception {
        try (Connection c = pg.connect(db); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(query)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** The protected server's clock. */
    Instant now() throws Exception {
        try (Connection c = pg.connect("postgres"); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT clock_timestamp()")) {
            rs.next();
            return rs.getTimestamp(1).toInstant().truncatedTo(ChronoUnit.MICROS);
        }
    }

    private String single(String query) throws Exception {
        try (Connection c = pg.connect("postgres"); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(query)) {
            rs.next();
            return rs.getString(1);
        }
    }

    /** A base backup as backup-service takes it (pg_basebackup -Ft -X none, zstd), with its signed manifest. */
    BackupManifest baseBackup(S3Client s3) throws Exception {
        long start = Lsn.parse(single("SELECT pg_current_wal_lsn()::text"));
        ProcessBuilder b = new ProcessBuilder(pg.binDir().resolve("pg_basebackup").toString(), "-h", "127.0.0.1", "-p",
                Integer.toString(pg.port()), "-U", PostgresServer.SUPERUSER, "-D", "-", "-Ft", "-X", "none", "-c", "fast");
        b.environment().put("PGPASSWORD", pg.password());
        Process p = b.start();
        ByteArrayOutputStream compressed = new ByteArrayOutputStream();
        long plain;
        try (ZstdOutputStream zstd = new ZstdOutputStream(compressed, 3)) {
            plain = p.getInputStream().transferTo(zstd);
        }
        if (p.waitFor() != 0) {
            throw new IllegalStateException("pg_basebackup failed: " + new String(p.getErrorStream().readAllBytes()));
        }
        long stop = Lsn.parse(single("SELECT pg_current_wal_lsn()::text"));
        Instant consistent = now();
        PhysicalBackup physical = new PhysicalBackup(single("SELECT system_identifier::text FROM pg_control_system()"),
                Integer.parseInt(single("SELECT timeline_id::text FROM pg_control_checkpoint()")), Lsn.format(start),
                Lsn.format(stop), Lsn.DEFAULT_SEGMENT_SIZE, PostgresServer.SUPERUSER);
        String backupId = source + "-base-" + System.nanoTime();
        String folder = "backups/" + source + "/" + DAY.format(consistent) + "/" + backupId + "/";
        byte[] data = compressed.toByteArray();
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        s3.putObject(r -> r.bucket(BackupFixtures.BUCKET).key(folder + "data"), RequestBody.fromBytes(data));
        BackupManifest manifest = new BackupManifest(2 /* one PUT, whole-object sha256: backups written before format 3 */, backupId, source, "postgres", consistent,
                consistent, consistent, plain, data.length, sha, folder + "data", "zstd", null, database, null, "127.0.0.1",
                pg.port(), null, null, Map.of("fixture", "pg_basebackup"), Map.of(), Map.of(), null, physical, null, null, null);
        BackupFixtures.writeManifest(s3, folder + "manifest.json", manifest);
        return manifest;
    }

    /**
     * Stores the WAL written so far: measures the server's clock and flush position, switches the segment so every
     * byte up to it is in a complete segment, and uploads the new segments; returns the covered instant.
     */
    Instant archiveWal(WalArchive archive) throws Exception {
        Instant covered = now();
        long flushed = Lsn.parse(single("SELECT pg_current_wal_flush_lsn()::text"));
        sql("postgres", "SELECT pg_switch_wal()");
        long needed = Lsn.segmentOf(Math.max(flushed - 1, 0), Lsn.DEFAULT_SEGMENT_SIZE);
        int timeline = Integer.parseInt(single("SELECT timeline_id::text FROM pg_control_checkpoint()"));
        String last = Lsn.segmentName(timeline, needed, Lsn.DEFAULT_SEGMENT_SIZE);
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!Files.exists(walDir.resolve(last)) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        if (!Files.exists(walDir.resolve(last))) {
            throw new IllegalStateException("pg_receivewal did not complete " + last);
        }
        try (Stream<Path> files = Files.list(walDir)) {
            for (Path f : files.sorted().toList()) {
                String name = f.getFileName().toString();
                if (!Lsn.isSegmentName(name) || uploaded.contains(name) || name.compareTo(last) > 0) continue;
                byte[] plain = Files.readAllBytes(f);
                byte[] payload = Zstd.compress(plain, 3);
                boolean lastOne = name.equals(last);
                archive.put(archive.segmentKey(source, systemId(), Lsn.timelineOf(name), name, false),
                        new WalObjectHeader(WalObjectHeader.FORMAT_VERSION, source, systemId(), Lsn.timelineOf(name), name, false,
                                plain.length, payload.length, null, null, lastOne ? covered : null, "zstd", null,
                                Instant.now(), null), payload, payload.length);
                uploaded.add(name);
            }
        }
        archive.putCoverage(new WalCoverage(source, systemId(),
                timeline, last, Lsn.format(flushed), covered, Instant.now(), null));
        return covered;
    }

    String segmentKey(WalArchive archive, String name) throws Exception {
        return archive.segmentKey(source, systemId(), Lsn.timelineOf(name), name, false);
    }

    String systemId() throws Exception {
        return single("SELECT system_identifier::text FROM pg_control_system()");
    }

    Set<String> uploaded() {
        return Set.copyOf(uploaded);
    }

    @Override
    public void close() throws Exception {
        receiver.destroy();
        receiver.waitFor();
        sql("postgres", "SELECT pg_drop_replication_slot('" + slot + "') FROM pg_replication_slots WHERE slot_name = '" + slot + "'");
    }
}

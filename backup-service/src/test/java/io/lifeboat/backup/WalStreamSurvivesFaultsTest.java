package io.lifeboat.backup;

import io.lifeboat.bucket.BackupBucket;
import io.lifeboat.bucket.wal.Lsn;
import io.lifeboat.bucket.wal.RecoveryWindow;
import io.lifeboat.bucket.wal.WalArchive;
import io.lifeboat.postgres.ServerUser;
import io.lifeboat.stack.Ports;
import io.lifeboat.stack.PostgresServer;
import io.lifeboat.testsupport.TestServers;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

import static io.lifeboat.backup.Backups.putSource;
import static io.lifeboat.backup.Backups.start;
import static io.lifeboat.backup.Backups.verified;
import static io.lifeboat.backup.ProtectedCluster.insert;
import static io.lifeboat.backup.ProtectedCluster.restorableUntil;
import static io.lifeboat.backup.ProtectedCluster.wal;
import static io.lifeboat.backup.RealServers.as;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The WAL stream under the faults a DR tool meets: the bucket unreachable for 30 s while the source keeps writing
 * (WAL waits in the spool, the exposure grows, then everything is stored and the chain has no gap), and a failover
 * of the source to a promoted standby (the new timeline is followed, its history stored, the chain still whole).
 */
@QuarkusTest
class WalStreamSurvivesFaultsTest {

    static PostgresServer standby;
    static PostgresServer rebuilt;

    @Inject
    WalArchive archive;

    @Inject
    BackupBucket bucket;

    @BeforeAll
    static void databases() throws Exception {
        PostgresServer pg = ProtectedCluster.pg();
        for (String db : List.of("wal_outage", "wal_failover")) {
            pg.createDatabase(db);
            try (Connection c = pg.connect(db); Statement s = c.createStatement()) {
                s.execute("CREATE TABLE IF NOT EXISTS notes (id bigserial PRIMARY KEY, note text)");
            }
        }
    }

    @AfterAll
    static void stopStandby() {
        if (standby != null) {
            standby.stop();
        }
        if (rebuilt != null) {
            rebuilt.stop();
        }
    }

    /** A deleted continuous source stops streaming and its slot is dropped: no stream outlives its test. */
    @AfterEach
    void retireSources() {
        for (String source : List.of("wal-outage", "wal-failover", "wal-rebuilt", "wal-dropped", "wal-gap")) {
            as("admin").delete("/sources/" + source);
        }
    }

    private RecoveryWindow window(String source) {
        return RecoveryWindow.compute(archive, source, bucket.manifests(source));
    }

    @Test
    void thirtySecondsWithoutTheBucketLoseNothing() throws Exception {
        int port = ProtectedCluster.pg().port();
        putSource("wal-outage", ProtectedCluster.continuousSource("wal_outage", port));
        verified(start("wal-outage"));
        await().atMost(Duration.ofSeconds(60)).until(() -> restorableUntil("wal-outage") != null);

        TestServers.get().s3().stop();
        Instant lastWritten;
        List<Double> exposure = new ArrayList<>();
        try {
            Instant outageStart = Instant.now();
            int i = 0;
            do {
                lastWritten = insert(port, "wal_outage", "notes", "written while the bucket is down " + i++);
                if (i % 50 == 0) {
                    try (Connection c = ProtectedCluster.pg().connect("postgres"); Statement s = c.createStatement()) {
                        s.execute("SELECT pg_switch_wal()"); // complete segments, which must wait in the spool
                    }
                }
                if (i % 10 == 0) {
                    exposure.add(Duration.between(restorableUntil("wal-outage"), Instant.now()).toMillis() / 1000.0);
                }
                Thread.sleep(100);
            } while (Duration.between(outageStart, Instant.now()).toSeconds() < 30);
            assertThat(wal("wal-outage").getString("state")).isEqualTo("failing");
            assertThat(wal("wal-outage").getString("detail")).contains("cannot store WAL in the bucket");
        } finally {
            TestServers.get().s3().start(Duration.ofSeconds(60));
        }
        assertThat(exposure).as("the exposure grows while nothing can be stored").last().matches(e -> e > 20.0);

        Instant written = lastWritten;
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500))
                .until(() -> restorableUntil("wal-outage") != null && !restorableUntil("wal-outage").isBefore(written));
        assertThat(wal("wal-outage").getString("state")).isEqualTo("streaming");
        RecoveryWindow window = window("wal-outage");
        assertThat(window.gaps()).as("every segment written during the outage reached the bucket").isEmpty();
        assertThat(window.ranges()).hasSize(1);
        assertThat(window.latest()).hasValueSatisfying(latest -> assertThat(latest).isAfterOrEqualTo(written));
    }

    @Test
    void aSegmentDeletedFromTheBucketIsAGapThatIsToldAndStartsABaseBackup() throws Exception {
        PostgresServer pg = ProtectedCluster.pg();
        pg.createDatabase("wal_gap");
        // segments filled since the last checkpoint: the stream starts at the slot's restart point (that checkpoint's
        // redo), so the bucket holds WAL from before the base backup, which no chain needs and is no gap if missing
        for (int i = 0; i < 3; i++) {
            try (Connection c = pg.connect("postgres"); Statement s = c.createStatement()) {
                s.execute("CREATE TABLE IF NOT EXISTS before_base_" + i + " (id int)");
                s.execute("SELECT pg_switch_wal()");
            }
        }
        putSource("wal-gap", ProtectedCluster.continuousSource("wal_gap", pg.port()));
        verified(start("wal-gap"));
        for (int i = 0; i < 3; i++) {
            try (Connection c = pg.connect("postgres"); Statement s = c.createStatement()) {
                s.execute("CREATE TABLE IF NOT EXISTS gap_" + i + " (id int)");
                s.execute("SELECT pg_switch_wal()");
            }
        }
        // a segment the base backup's chain needs (after its start) with WAL stored after it; the bucket may also
        // hold segments from before the base backup (and WAL retention deletes those at some point): never those
        long baseStart = Lsn.segmentOf(Lsn.parse(bucket.manifests("wal-gap").get(0).physical().startLsn()),
                Lsn.DEFAULT_SEGMENT_SIZE);
        withStreamThreadsOnTimeout(() -> await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            String stream = wal("wal-gap").prettify();
            assertThat(restorableUntil("wal-gap")).as("restorable; the stream: %s", stream).isNotNull();
            assertThat(archive.systems("wal-gap")).as("clusters with WAL in the bucket").hasSize(1);
            TreeMap<Long, WalArchive.Entry> segments = stored(archive.systems("wal-gap").get(0));
            assertThat(segments.keySet()).as("segments stored (the base backup starts in %d); the stream: %s", baseStart, stream)
                    .contains(baseStart + 1);
            assertThat(segments.ceilingKey(baseStart + 2)).as("a segment after %d; the stream: %s", baseStart + 1, stream).isNotNull();
        }));
        String cluster = archive.systems("wal-gap").get(0);
        WalArchive.Entry middle = stored(cluster).get(baseStart + 1);
        archive.delete(middle.key());

        // the audit (every 3 s in tests) finds it from the bucket alone: told, not restorable, a base backup started
        await().atMost(Duration.ofSeconds(60)).until(() -> outboxHas("lifeboat.backup.wal.gap.detected.v1", "wal-gap"));
        await().atMost(Duration.ofSeconds(60)).until(() -> as("viewer").queryParam("source", "wal-gap").get("/backups").then()
                .extract().jsonPath().getList("items.trigger").contains("wal-gap"));
        assertThat(window("wal-gap").gaps()).extracting(RecoveryWindow.Gap::missing).contains(middle.name());
        // from the new base backup on, the window grows again
        await().atMost(Duration.ofSeconds(90)).until(() -> restorableUntil("wal-gap") != null
                && window("wal-gap").ranges().stream().anyMatch(r -> r.from().isAfter(Instant.now().minusSeconds(120))));
    }

    /** Runs a wait; when it times out, the stacks of the WAL stream threads say where a stream stands (then it fails). */
    private static void withStreamThreadsOnTimeout(Runnable wait) {
        try {
            wait.run();
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            Thread.getAllStackTraces().forEach((thread, stack) -> {
                if (thread.getName().startsWith("wal-stream-")) {
                    System.out.println("thread " + thread.getName() + " (" + thread.getState() + "):");
                    for (StackTraceElement frame : stack) {
                        System.out.println("    at " + frame);
                    }
                }
            });
            throw e;
        }
    }

    /** The complete segments of timeline 1 of the wal-gap source in the bucket, by segment number. */
    private TreeMap<Long, WalArchive.Entry> stored(String cluster) {
        return archive.list("wal-gap", cluster).complete().getOrDefault(1, new TreeMap<>());
    }

    @Inject
    io.agroal.api.AgroalDataSource dataSource;

    private boolean outboxHas(String type, String key) throws Exception {
        try (Connection c = dataSource.getConnection(); java.sql.PreparedStatement s = c.prepareStatement(
                "SELECT count(*) FROM outbox_event WHERE type = ? AND message_key = ?")) {
            s.setString(1, type);
            s.setString(2, key);
            try (java.sql.ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1) > 0;
            }
        }
    }

    @Test
    void droppingTheProtectedDatabaseDoesNotStopItsStream() throws Exception {
        PostgresServer pg = ProtectedCluster.pg();
        pg.createDatabase("wal_dropped");
        putSource("wal-dropped", ProtectedCluster.continuousSource("wal_dropped", pg.port()));
        verified(start("wal-dropped"));
        await().atMost(Duration.ofSeconds(60)).until(() -> restorableUntil("wal-dropped") != null);
        try (Connection c = pg.connect("postgres"); Statement s = c.createStatement()) {
            s.execute("DROP DATABASE wal_dropped WITH (FORCE)"); // the disaster: the stream must record it, and go on
        }
        Instant afterDrop = Instant.now();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                .until(() -> restorableUntil("wal-dropped") != null && restorableUntil("wal-dropped").isAfter(afterDrop));
        assertThat(wal("wal-dropped").getString("state")).isEqualTo("streaming");
    }

    @Test
    void afterAFailoverTheNewTimelineIsFollowed() throws Exception {
        PostgresServer primary = ProtectedCluster.pg();
        // a standby that has been following the primary since before the source's first base backup, as a real one
        standby = standbyOf(primary);
        putSource("wal-failover", ProtectedCluster.continuousSource("wal_failover", primary.port()));
        verified(start("wal-failover"));
        Instant onOld = insert(primary.port(), "wal_failover", "notes", "on the old primary");
        await().atMost(Duration.ofSeconds(60)).until(() -> restorableUntil("wal-failover") != null
                && !restorableUntil("wal-failover").isBefore(onOld));
        String cluster = archive.systems("wal-failover").get(0);

        // the bucket is away while the primary fills two segments: the stream receives them, and they wait in its
        // spool. The standby, caught up, is promoted (timeline 2), and its first checkpoint recycles its copy of
        // those segments: from then on, the spool holds the only copy of that WAL outside the old primary
        TestServers.get().s3().stop();
        long firstFilled;
        try {
            long written;
            try (Connection c = primary.connect("wal_failover"); Statement s = c.createStatement()) {
                firstFilled = Lsn.segmentOf(currentLsn(s), Lsn.DEFAULT_SEGMENT_SIZE);
                s.execute("INSERT INTO notes (note) VALUES ('while the bucket is away')");
                s.execute("SELECT pg_switch_wal()");
                s.execute("INSERT INTO notes (note) VALUES ('one segment later')");
                s.execute("SELECT pg_switch_wal()");
                s.execute("INSERT INTO notes (note) VALUES ('two segments later')");
                written = currentLsn(s);
            }
            awaitReceivedByLifeboat(primary, "lifeboat_wal_failover", written);
            awaitReplayed(primary, standby);
            try (Connection c = standby.connect("postgres"); Statement s = c.createStatement()) {
                s.execute("SELECT pg_promote(true, 60)");
                s.execute("CHECKPOINT");
            }
            // the source moves to the promoted server (same cluster, timeline 2) while the bucket is still away:
            // the stream from the old primary stops with those segments unstored
            putSource("wal-failover", ProtectedCluster.continuousSource("wal_failover", standby.port()));
            // (its first step, storing the new timeline's history, fails while the bucket is away: told as failing)
            String streamingFromStandby = "cannot stream WAL from 127.0.0.1:" + standby.port();
            await().atMost(Duration.ofSeconds(30)).until(() -> String.valueOf(wal("wal-failover").getString("detail"))
                    .startsWith(streamingFromStandby));
        } finally {
            TestServers.get().s3().start(Duration.ofSeconds(60));
        }
        Instant onNew = insert(standby.port(), "wal_failover", "notes", "on the promoted standby");
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).until(() ->
                Integer.valueOf(2).equals(wal("wal-failover").get("timeline")) && restorableUntil("wal-failover") != null
                        && !restorableUntil("wal-failover").isBefore(onNew));
        assertThat(archive.systems("wal-failover")).as("a failover keeps the cluster: one WAL archive").containsExactly(cluster);
        WalArchive.Listing listing = archive.list("wal-failover", cluster);
        assertThat(listing.histories()).containsKey(2);
        assertThat(listing.complete().get(1)).as("the two segments the old primary filled while the bucket was away")
                .containsKeys(firstFilled, firstFilled + 1);
        // the window restores use is computed from the bucket: its coverage object follows the stream's state closely
        await().atMost(Duration.ofSeconds(30)).until(() -> window("wal-failover").latest().filter(l -> !l.isBefore(onNew)).isPresent());
        RecoveryWindow window = window("wal-failover");
        assertThat(window.gaps()).as("the spooled WAL of the old timeline was stored after the move: no gap").isEmpty();
        assertThat(window.ranges()).hasSize(1);
        assertThat(outboxHas("lifeboat.backup.wal.gap.detected.v1", "wal-failover")).isFalse();
    }

    private static long currentLsn(Statement s) throws java.sql.SQLException {
        try (java.sql.ResultSet rs = s.executeQuery("SELECT pg_current_wal_lsn()::text")) {
            rs.next();
            return Lsn.parse(rs.getString(1));
        }
    }

    /** Waits until Lifeboat's stream, holding {@code slot}, told the server it has received the WAL before {@code lsn}. */
    private static void awaitReceivedByLifeboat(PostgresServer server, String slot, long lsn) {
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            try (Connection c = server.connect("postgres"); java.sql.PreparedStatement s = c.prepareStatement(
                    "SELECT r.write_lsn::text FROM pg_stat_replication r JOIN pg_replication_slots l ON l.active_pid = r.pid "
                            + "WHERE l.slot_name = ?")) {
                s.setString(1, slot);
                try (java.sql.ResultSet rs = s.executeQuery()) {
                    return rs.next() && rs.getString(1) != null && Lsn.parse(rs.getString(1)) >= lsn;
                }
            }
        });
    }

    @Test
    void aSourceRebuiltAsANewClusterNeverOverwritesTheOldClustersWal() throws Exception {
        PostgresServer old = ProtectedCluster.pg();
        old.createDatabase("wal_rebuilt");
        putSource("wal-rebuilt", ProtectedCluster.continuousSource("wal_rebuilt", old.port()));
        verified(start("wal-rebuilt"));
        await().atMost(Duration.ofSeconds(60)).until(() -> restorableUntil("wal-rebuilt") != null);
        String oldCluster = archive.systems("wal-rebuilt").get(0);
        RecoveryWindow before = window("wal-rebuilt");

        // the disaster took the server; a new, empty cluster (another system id) is built at another port
        rebuilt = new PostgresServer(TestServers.get().root().resolve("rebuilt-" + System.nanoTime()), Ports.free(), old.password(),
                TestServers.get().root().resolve("rebuilt.log"), TestServers.get().root().resolve("rebuilt.pid"));
        rebuilt.start(Duration.ofSeconds(90));
        rebuilt.createDatabase("wal_rebuilt");
        putSource("wal-rebuilt", ProtectedCluster.continuousSource("wal_rebuilt", rebuilt.port()));
        await().atMost(Duration.ofSeconds(90)).until(() -> archive.systems("wal-rebuilt").size() == 2);
        // not restorable, and no base backup of its own started: the rebuilt cluster is empty until the old one's
        // data is restored into it, and must not become the newest restorable state before that
        assertThat(restorableUntil("wal-rebuilt")).isNull();
        assertThat(as("viewer").queryParam("source", "wal-rebuilt").get("/backups").then().extract().jsonPath()
                .getList("items")).hasSize(1);
        verified(start("wal-rebuilt"));
        await().atMost(Duration.ofSeconds(60)).until(() -> restorableUntil("wal-rebuilt") != null);
        // the old cluster's WAL is as it was: its window is unchanged
        RecoveryWindow after = window("wal-rebuilt");
        assertThat(after.ranges()).as("the old cluster's range and the new one's").hasSize(2);
        assertThat(after.ranges().get(0).baseBackupId()).isEqualTo(before.ranges().get(0).baseBackupId());
        assertThat(after.ranges().get(0).to()).as("still reaches what it reached (it streamed until re-pointed)")
                .isAfterOrEqualTo(before.ranges().get(0).to());
        assertThat(archive.list("wal-rebuilt", oldCluster).complete().isEmpty() && archive.list("wal-rebuilt", oldCluster).partial().isEmpty())
                .isFalse();
    }

    private static void awaitReplayed(PostgresServer primary, PostgresServer standby) {
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            try (Connection p = primary.connect("postgres"); Statement ps = p.createStatement();
                 Connection r = standby.connect("postgres"); Statement rs = r.createStatement()) {
                var a = ps.executeQuery("SELECT pg_current_wal_lsn()");
                a.next();
                var b = rs.executeQuery("SELECT pg_last_wal_replay_lsn() >= '" + a.getString(1) + "'::pg_lsn");
                b.next();
                return b.getBoolean(1);
            }
        });
    }

    /** A streaming standby of {@code primary} in a folder and on a port of its own. */
    private static PostgresServer standbyOf(PostgresServer primary) throws Exception {
        Path root = TestServers.get().root().resolve("standby-" + System.nanoTime());
        Files.createDirectories(root);
        Path data = root.resolve("data");
        ServerUser.own(root);
        List<String> command = ServerUser.wrap(List.of(primary.binDir().resolve("pg_basebackup").toString(), "-D", data.toString(),
                "-R", "-X", "stream", "-c", "fast", "-d", "host=127.0.0.1 port=" + primary.port() + " user="
                        + PostgresServer.SUPERUSER + " password=" + primary.password()));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as(out).isZero();
        PostgresServer server = new PostgresServer(data, Ports.free(), primary.password(), root.resolve("standby.log"),
                root.resolve("standby.pid"));
        server.start(Duration.ofSeconds(60));
        return server;
    }
}

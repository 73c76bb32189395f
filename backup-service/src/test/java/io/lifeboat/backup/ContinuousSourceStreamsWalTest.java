package io.lifeboat.backup;

import io.lifeboat.bucket.BackupBucket;
import io.lifeboat.bucket.wal.Lsn;
import io.lifeboat.bucket.wal.RecoveryWindow;
import io.lifeboat.bucket.wal.WalArchive;
import io.lifeboat.stack.PostgresServer;
import io.lifeboat.testsupport.TestServers;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static io.lifeboat.backup.Backups.putSource;
import static io.lifeboat.backup.Backups.start;
import static io.lifeboat.backup.Backups.verified;
import static io.lifeboat.backup.RealServers.as;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A continuous source on the protected cluster: a physical base backup, then its WAL streamed into the bucket over
 * a replication slot, so the recovery point trails the source by seconds and the bucket alone shows a window that
 * reaches the newest commit.
 */
@QuarkusTest
class ContinuousSourceStreamsWalTest {

    static PostgresServer pg;

    @Inject
    WalArchive archive;

    @Inject
    BackupBucket bucket;

    @BeforeAll
    static void protectedDatabase() throws Exception {
        pg = TestServers.get().protectedPostgres();
        pg.createDatabase("wal_shop");
        try (Connection c = pg.connect("wal_shop"); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS orders (id bigserial PRIMARY KEY, at timestamptz DEFAULT clock_timestamp(), note text)");
            s.execute("INSERT INTO orders (note) SELECT 'order ' || g FROM generate_series(1, 1000) g");
        }
    }

    @org.junit.jupiter.api.AfterEach
    void retire() {
        // a deleted continuous source stops streaming and its slot is dropped: later tests run without these streams
        for (String source : List.of("wal-shop", "wal-load", "wal-keep", "wal-gone")) {
            as("admin").delete("/sources/" + source);
        }
    }

    static String continuousSource(String database) {
        return ProtectedCluster.continuousSource(database, pg.port());
    }

    private static JsonPath wal(String source) {
        return ProtectedCluster.wal(source);
    }

    private static Instant insert(String note) throws Exception {
        return ProtectedCluster.insert(pg.port(), "wal_shop", "orders", note);
    }

    @Test
    void theBucketHoldsTheWalUpToSecondsAgoAndTheWindowReachesIt() throws Exception {
        putSource("wal-shop", continuousSource("wal_shop"));
        await().atMost(Duration.ofSeconds(60)).until(() -> "streaming".equals(wal("wal-shop").getString("state")));

        JsonPath base = verified(start("wal-shop"));
        assertThat(base.getString("phase")).as(base.prettify()).isEqualTo("Completed");
        assertThat(base.getString("format")).isEqualTo("base-backup");
        assertThat(base.getBoolean("verification.ok")).isTrue();

        Instant committed = insert("after the base backup");
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).until(() -> {
            String until = wal("wal-shop").getString("restorableUntil");
            return until != null && !Instant.parse(until).isBefore(committed);
        });

        RecoveryWindow window = RecoveryWindow.compute(archive, "wal-shop", bucket.manifests("wal-shop"));
        assertThat(window.gaps()).isEmpty();
        assertThat(window.ranges()).hasSize(1);
        assertThat(window.ranges().get(0).baseBackupId()).isEqualTo(base.getString("id"));
        assertThat(window.latest()).hasValueSatisfying(latest -> assertThat(latest).isAfterOrEqualTo(committed));

        // the slot keeps only what the bucket does not have yet
        long stored = Lsn.parse(wal("wal-shop").getString("storedLsn"));
        try (Connection c = pg.connect("postgres"); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT restart_lsn::text, active FROM pg_replication_slots WHERE slot_name = 'lifeboat_wal_shop'")) {
            assertThat(rs.next()).as("the replication slot exists").isTrue();
            assertThat(Lsn.parse(rs.getString(1))).isLessThanOrEqualTo(stored);
            assertThat(rs.getBoolean(2)).as("held by the stream").isTrue();
        }
    }

    @Test
    void aDeletedContinuousSourceLeavesNoSlotOnTheSourceAndNoSpoolFolderHere() throws Exception {
        putSource("wal-gone", continuousSource("wal_shop"));
        await().atMost(Duration.ofSeconds(60)).until(() -> "streaming".equals(wal("wal-gone").getString("state")));
        Path spool = Path.of(System.getProperty("java.io.tmpdir"), "lifeboat-wal-spool", "wal-gone");
        assertThat(spool).as("the stream's spool folder").isDirectory();
        assertThat(slotExists("lifeboat_wal_gone")).isTrue();
        // the segments received so far are stored (a segment still waiting when the source goes is kept: WalSpoolTest)
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            try (var clusters = Files.list(spool)) {
                return clusters.allMatch(cluster -> {
                    try (var segments = Files.list(cluster)) {
                        return segments.findAny().isEmpty();
                    } catch (java.io.IOException e) {
                        return false;
                    }
                });
            }
        });

        as("admin").delete("/sources/wal-gone").then().statusCode(204);

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(slotExists("lifeboat_wal_gone")).as("its replication slot, which would keep WAL on the source forever").isFalse();
            assertThat(spool).as("its spool folder: everything in it was stored").doesNotExist();
        });
    }

    private static boolean slotExists(String slot) throws Exception {
        try (Connection c = pg.connect("postgres");
             var s = c.prepareStatement("SELECT 1 FROM pg_replication_slots WHERE slot_name = ?")) {
            s.setString(1, slot);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next();
            }
        }
    }

    @Test
    void underConstantWritesTheExposureStaysWithinSeconds() throws Exception {
        putSource("wal-load", continuousSource("wal_shop"));
        verified(start("wal-load"));
        await().atMost(Duration.ofSeconds(60)).until(() -> wal("wal-load").getString("restorableUntil") != null);
        List<Double> lags = new ArrayList<>();
        for (int i = 0; i < 15; i++) {
            try (Connection c = pg.connect("wal_shop"); Statement s = c.createStatement()) {
                s.execute("INSERT INTO orders (note) SELECT 'load ' || g FROM generate_series(1, 2000) g");
            }
            Thread.sleep(1000);
            lags.add(Duration.between(Instant.parse(wal("wal-load").getString("restorableUntil")), Instant.now()).toMillis() / 1000.0);
        }
        // a flush every second: even on a busy machine the bucket trails by seconds, not by the dump interval
        assertThat(lags).as("seconds between now and the recovery point, sampled every second").allMatch(l -> l < 20.0);
    }

    @Test
    void retentionDeletesOnlyTheWalNoKeptBaseBackupNeeds() throws Exception {
        putSource("wal-keep", continuousSource("wal_shop").replace("\"keepLast\": 10", "\"keepLast\": 1"));
        JsonPath first = verified(start("wal-keep"));
        for (int i = 0; i < 3; i++) {
            insert("between base backups " + i);
            try (Connection c = pg.connect("postgres"); Statement s = c.createStatement()) {
                s.execute("SELECT pg_switch_wal()");
            }
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> wal("wal-keep").getString("segment") != null
                && Lsn.parse(wal("wal-keep").getString("storedLsn")) > Lsn.parse(manifestOf(first).physical().stopLsn()) + 3 * Lsn.DEFAULT_SEGMENT_SIZE);
        String cluster = archive.systems("wal-keep").get(0);
        long before = archive.list("wal-keep", cluster).complete().values().stream().mapToLong(m -> m.size()).sum(); // segments

        JsonPath second = verified(start("wal-keep")); // keepLast 1: the first base backup expires
        long secondStart = Lsn.segmentOf(Lsn.parse(manifestOf(second).physical().startLsn()), Lsn.DEFAULT_SEGMENT_SIZE);
        // retention runs right after the backup's read-back verification: wait for it
        await().atMost(Duration.ofSeconds(30)).until(() -> archive.list("wal-keep", cluster).complete().values().stream()
                .flatMap(m -> m.keySet().stream()).allMatch(segment -> segment >= secondStart));
        var kept = archive.list("wal-keep", cluster).complete().values().stream().flatMap(m -> m.keySet().stream()).toList();
        assertThat((long) kept.size()).as("the three segments written before it were deleted").isLessThan(before);
        // the second base backup becomes restorable once the WAL to its end is stored (a second or so)
        await().atMost(Duration.ofSeconds(60)).until(() -> !RecoveryWindow.compute(archive, "wal-keep", bucket.manifests("wal-keep")).isEmpty());
        RecoveryWindow window = RecoveryWindow.compute(archive, "wal-keep", bucket.manifests("wal-keep"));
        assertThat(window.gaps()).isEmpty();
        assertThat(window.ranges()).singleElement().satisfies(r -> assertThat(r.baseBackupId()).isEqualTo(second.getString("id")));
    }

    private io.lifeboat.events.storage.BackupManifest manifestOf(JsonPath backup) {
        return bucket.manifests(backup.getString("source")).stream().filter(m -> m.backupId().equals(backup.getString("id")))
                .findFirst().orElseThrow();
    }

    @Test
    void onlyPostgresSourcesCanBeContinuous() {
        as("operator").contentType("application/json")
                .body("{\"kind\": \"directory\", \"path\": \"/tmp/x\", \"continuous\": true}").put("/sources/wal-dir")
                .then().statusCode(400).body("errors.field", org.hamcrest.Matchers.hasItem("continuous"));
        as("viewer").get("/sources/wal-nope/wal").then().statusCode(404);
    }
}

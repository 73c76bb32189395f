package io.lifeboat.incident;

import io.lifeboat.events.CloudEvent;
import io.lifeboat.events.backup.BackupCompleted;
import io.lifeboat.events.backup.BackupStarted;
import io.lifeboat.events.backup.BackupVerified;
import io.lifeboat.events.backup.Retention;
import io.lifeboat.events.backup.SourceUpdated;
import io.lifeboat.events.backup.WalArchived;
import io.lifeboat.events.backup.WalGapDetected;
import io.lifeboat.incident.eventlog.EventStore;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;

import static io.lifeboat.incident.RealServers.as;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A continuous source's recovery point is its restorable WAL, seconds old, not its base backup of hours ago; a WAL
 * gap takes that back (the base backup's recovery point counts again) and the gauge the alert reads says so.
 */
@QuarkusTest
class ContinuousSourcesRpoTest {

    @Inject
    EventStore store;

    private static Map<String, Object> rpoOf(String source) {
        return as("viewer").get("/rpo").then().statusCode(200).extract().jsonPath().getMap("find { it.source == '" + source + "' }");
    }

    @Test
    void theRecoveryPointIsTheRestorableWalUntilAGapTakesItBack() {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        Instant base = now.minus(Duration.ofHours(3));
        Instant walPoint = now.minusSeconds(4);
        Publish.awaitStored(store,
                Publish.send("/b", new SourceUpdated("cont-db", "postgres", "0 2 * * *", Duration.ofMinutes(1),
                        Retention.defaults(), false, false), base.minusSeconds(60)),
                Publish.send("/b", new BackupStarted("cont-db-base", "cont-db", "postgres", base, "schedule"), base),
                Publish.send("/b", new BackupCompleted("cont-db-base", "cont-db", "postgres", base, base, base.plusSeconds(30),
                        100, 50, "aa", "k", "m", "zstd", null, Map.of(), Map.of()), base.plusSeconds(30)),
                Publish.send("/b", new BackupVerified("cont-db-base", "cont-db", true, "ok", true, base.plusSeconds(40)), base.plusSeconds(40)),
                Publish.send("/b", new WalArchived("cont-db", 1, "000000010000000000000007", "0/7123456", walPoint, walPoint,
                        true, walPoint.plusMillis(300)), walPoint.plusMillis(300)));

        await().atMost(Duration.ofSeconds(30)).until(() -> rpoOf("cont-db") != null && "wal".equals(rpoOf("cont-db").get("via")));
        Map<String, Object> rpo = rpoOf("cont-db");
        assertThat(Instant.parse((String) rpo.get("recoveryPointAt"))).isEqualTo(walPoint);
        assertThat(rpo.get("walSegment")).isEqualTo("000000010000000000000007");
        assertThat(rpo.get("backupId")).isEqualTo("cont-db-base");
        assertThat(Duration.parse((String) rpo.get("exposure"))).isLessThan(Duration.ofMinutes(1));
        assertThat(rpo.get("breached")).isEqualTo(false);

        Instant gapAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
        Publish.awaitStored(store, Publish.send("/b", new WalGapDetected("cont-db", 1, "000000010000000000000008",
                "segment missing from the bucket", gapAt), gapAt));
        await().atMost(Duration.ofSeconds(30)).until(() -> "backup".equals(rpoOf("cont-db").get("via")));
        rpo = rpoOf("cont-db");
        assertThat(Instant.parse((String) rpo.get("recoveryPointAt"))).isEqualTo(base);
        assertThat(rpo.get("breached")).isEqualTo(true);
        assertThat(rpo.get("walRestorable")).isEqualTo(false);
        await().atMost(Duration.ofSeconds(40)).until(() -> RestAssured.get("/q/metrics").asString()
                .contains("lifeboat_wal_restorable{scenario=\"database-loss\",source=\"cont-db\"} 0.0"));
    }
}

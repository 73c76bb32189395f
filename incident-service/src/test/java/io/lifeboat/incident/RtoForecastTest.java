package io.lifeboat.incident;

import io.lifeboat.events.CloudEvent;
import io.lifeboat.events.backup.BackupCompleted;
import io.lifeboat.events.backup.BackupVerified;
import io.lifeboat.events.backup.Retention;
import io.lifeboat.events.backup.SourceUpdated;
import io.lifeboat.events.restore.RestoreCompleted;
import io.lifeboat.incident.eventlog.EventStore;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.lifeboat.incident.RealServers.as;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The RTO forecast of a source is its newest backup's size over the throughput measured restoring that source
 * (or sources of its kind): a database restoring at 10 MB/s and a vector folder at 100 MB/s are not averaged.
 */
@QuarkusTest
class RtoForecastTest {

    @Inject
    EventStore store;

    private static List<CloudEvent> source(String name, String kind, long newestStored, long restoredStored, double restoreSeconds) {
        Instant t = Instant.now().minus(Duration.ofHours(1)).truncatedTo(ChronoUnit.SECONDS);
        List<CloudEvent> events = new ArrayList<>();
        events.add(Publish.send("/b", new SourceUpdated(name, kind, "0 2 * * *", Duration.ofHours(24), Retention.defaults(),
                false, false), t));
        events.add(Publish.send("/b", new BackupCompleted(name + "-1", name, kind, t, t, t.plusSeconds(5), newestStored * 2,
                newestStored, "aa", "k", "m", "zstd", null, Map.of(), Map.of()), t.plusSeconds(5)));
        events.add(Publish.send("/b", new BackupVerified(name + "-1", name, true, "ok", true, t.plusSeconds(6)), t.plusSeconds(6)));
        if (restoreSeconds > 0) {
            events.add(Publish.send("/r", new RestoreCompleted("restore-" + name, name, name + "-1", t, "t", "new", "drill", null,
                    "d-" + name, t.plusSeconds(60), t.plusSeconds(60 + (long) restoreSeconds), restoreSeconds, restoredStored,
                    List.of()), t.plusSeconds(60 + (long) restoreSeconds)));
        }
        return events;
    }

    @Test
    void eachSourceIsForecastFromRestoresOfItsOwnKind() {
        List<CloudEvent> events = new ArrayList<>();
        events.addAll(source("fc-pg", "postgres", 50_000_000, 100_000_000, 10));       // 10 MB/s
        events.addAll(source("fc-dir", "directory", 500_000_000, 1_000_000_000, 10)); // 100 MB/s
        events.addAll(source("fc-new-pg", "postgres", 20_000_000, 0, 0));              // never restored itself
        Publish.awaitStored(store, events.toArray(CloudEvent[]::new));

        JsonPath rpo = as("viewer").get("/rpo").then().statusCode(200).extract().jsonPath();
        assertThat(Duration.parse(rpo.getString("find { it.source == 'fc-pg' }.rtoForecast.expectedRestore")))
                .isEqualTo(Duration.ofSeconds(5));
        assertThat(rpo.getDouble("find { it.source == 'fc-pg' }.rtoForecast.throughputMiBPerSecond"))
                .isEqualTo(Math.round(10_000_000 / 1048576.0 * 100) / 100.0);
        assertThat(Duration.parse(rpo.getString("find { it.source == 'fc-dir' }.rtoForecast.expectedRestore")))
                .isEqualTo(Duration.ofSeconds(5));
        assertThat(rpo.getString("find { it.source == 'fc-dir' }.rtoForecast.note")).contains("restores of this source");
        assertThat(rpo.getString("find { it.source == 'fc-new-pg' }.rtoForecast.note")).contains("restores of postgres sources");
        assertThat(rpo.getString("find { it.source == 'fc-new-pg' }.rtoForecast.expectedRestore")).isNotNull();
    }
}

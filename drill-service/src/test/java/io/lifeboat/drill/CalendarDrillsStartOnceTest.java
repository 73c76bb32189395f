package io.lifeboat.drill;

import io.agroal.api.AgroalDataSource;
import io.lifeboat.drill.run.DrillService;
import io.lifeboat.testsupport.CpuLoad;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Several drill-service instances (racing threads, each with its own transactions against the one database) look
 * for due calendar drills at the same moment, round after round, with every core busy: every due drill starts
 * exactly once. This failed on the claim that loaded the row before its conditional update (a stale flush
 * overwrote another instance's claim, and the drill ran twice).
 */
@QuarkusTest
class CalendarDrillsStartOnceTest {

    private static final int INSTANCES = 4;
    private static final int ROUNDS = 5;
    private static final int DUE_PER_ROUND = 10;

    @Inject
    DrillService drills;

    @Inject
    AgroalDataSource dataSource;

    private List<String> dueCalendarDrills(int round) throws Exception {
        List<String> ids = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement insert = c.prepareStatement("""
                INSERT INTO drill (id, scenario, phase, scheduled_for, announced_at, trigger, created_at)
                VALUES (?, 'database-loss', 'Announced', ?, now(), 'calendar', now())""")) {
            for (int i = 0; i < DUE_PER_ROUND; i++) {
                String id = "drill-race-" + round + "-" + i + "-" + System.nanoTime();
                insert.setString(1, id);
                insert.setObject(2, java.sql.Timestamp.from(Instant.now().minusSeconds(3600 + round * 100L + i)));
                insert.executeUpdate();
                ids.add(id);
            }
        }
        return ids;
    }

    private Map<String, Long> startedEvents(List<String> ids) throws Exception {
        Map<String, Long> counts = new HashMap<>();
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT message_key, count(*) FROM outbox_event "
                     + "WHERE type = 'lifeboat.drill.started.v1' AND message_key LIKE 'drill-race-%' GROUP BY message_key")) {
            while (rs.next()) {
                if (ids.contains(rs.getString(1))) counts.put(rs.getString(1), rs.getLong(2));
            }
        }
        return counts;
    }

    @Test
    void everyDueCalendarDrillStartsExactlyOnceWhileInstancesRaceUnderLoad() throws Exception {
        ExecutorService instances = Executors.newFixedThreadPool(INSTANCES);
        try (CpuLoad ignored = CpuLoad.onEveryCore()) {
            for (int round = 0; round < ROUNDS; round++) {
                List<String> due = dueCalendarDrills(round);
                CountDownLatch go = new CountDownLatch(1);
                List<Future<List<String>>> claims = new ArrayList<>();
                for (int i = 0; i < INSTANCES; i++) {
                    claims.add(instances.submit(() -> {
                        go.await();
                        return drills.claimDue(Instant.now());
                    }));
                }
                go.countDown();
                List<String> started = new ArrayList<>();
                for (Future<List<String>> claim : claims) {
                    started.addAll(claim.get().stream().filter(due::contains).toList());
                }
                // the service's own calendar tick is a fifth instance that may win some of them: it is counted by
                // the events below, which every start emits exactly once, whoever claimed it
                assertThat(started).as("round " + round + ": no drill claimed by two instances").doesNotHaveDuplicates();
                await().atMost(Duration.ofSeconds(120)).until(() -> startedEvents(due).size() == DUE_PER_ROUND);
                assertThat(startedEvents(due).values()).as("round " + round + ": one drill.started per drill").containsOnly(1L);
            }
        } finally {
            instances.shutdownNow();
        }
    }
}

package io.lifeboat.drill.calendar;

import io.agroal.api.AgroalDataSource;
import io.lifeboat.drill.config.DrillConfig;
import io.lifeboat.drill.scenario.Scenario;
import io.lifeboat.events.drill.DrillScheduled;
import io.lifeboat.outbox.Outbox;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/** The quarterly drill plan, and the calendar drills it puts in the drill table (once, across instances). */
@ApplicationScoped
public class CalendarService {

    private static final Logger LOG = Logger.getLogger(CalendarService.class);
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyyMMdd");

    private final DrillConfig.Calendar config;
    private final AgroalDataSource dataSource;
    private final Outbox outbox;

    public CalendarService(DrillConfig drillConfig, AgroalDataSource dataSource, Outbox outbox) {
        this.config = drillConfig.calendar();
        this.dataSource = dataSource;
        this.outbox = outbox;
    }

    /** One planned drill of the calendar. */
    public record Slot(String drillId, int quarter, LocalDate date, Instant startsAt, Instant announceAt, String scenario) {
    }

    public List<Slot> plan(int year) {
        List<Slot> slots = new ArrayList<>();
        for (String entry : config.slots()) {
            String[] parts = entry.trim().split(":", 2);
            LocalDate date = LocalDate.parse(year + "-" + parts[0].trim());
            Instant startsAt = date.atTime(config.startTime()).toInstant(ZoneOffset.UTC);
            String scenario = parts[1].trim();
            slots.add(new Slot("drill-" + DAY.format(date) + "-" + scenario, (date.getMonthValue() - 1) / 3 + 1, date,
                    startsAt, startsAt.minus(config.announceAhead()), scenario));
        }
        return slots;
    }

    void onStart(@Observes StartupEvent event) {
        materialize();
    }

    /** Puts this year's and next year's calendar drills in the drill table and announces each once. */
    @Scheduled(every = "6h", delayed = "1m")
    void materialize() {
        int year = LocalDate.now(ZoneOffset.UTC).getYear();
        for (int y = year; y <= year + 1; y++) {
            for (Slot slot : plan(y)) {
                if (slot.startsAt().isBefore(Instant.now())) {
                    continue;
                }
                try {
                    QuarkusTransaction.requiringNew().run(() -> schedule(slot));
                } catch (RuntimeException e) {
                    LOG.warnf("cannot schedule %s: %s", slot.drillId(), e.getMessage());
                }
            }
        }
    }

    private void schedule(Slot slot) {
        if (Scenario.findById(slot.scenario()) == null) {
            LOG.warnf("calendar names unknown scenario '%s'; skipped", slot.scenario());
            return;
        }
        try (Connection c = dataSource.getConnection(); PreparedStatement insert = c.prepareStatement("""
                INSERT INTO drill (id, scenario, phase, scheduled_for, trigger, created_at)
                VALUES (?, ?, 'Scheduled', ?, 'calendar', now()) ON CONFLICT DO NOTHING RETURNING id""")) {
            insert.setString(1, slot.drillId());
            insert.setString(2, slot.scenario());
            insert.setTimestamp(3, Timestamp.from(slot.startsAt()));
            try (ResultSet rs = insert.executeQuery()) {
                if (rs.next()) {
                    outbox.append("schedule:calendar", new DrillScheduled(slot.drillId(), slot.scenario(), slot.startsAt()));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }
}

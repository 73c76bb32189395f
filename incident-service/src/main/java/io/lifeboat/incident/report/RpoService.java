package io.lifeboat.incident.report;

import io.agroal.api.AgroalDataSource;
import io.lifeboat.incident.config.IncidentConfig;
import jakarta.enterprise.context.ApplicationScoped;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * RPO answers from the projections. A backup counts once it completed and verified good; so does the stored WAL of
 * a continuous source once a verified base backup and a gap-free chain reach it. The exposure of a source at t is t
 * minus the newer of the two recovery points. The RTO forecast divides the newest
 * backup's stored size by the restore throughput of recent restores (drills' included) of that source, or of
 * sources of its kind.
 */
@ApplicationScoped
public class RpoService {

    private final AgroalDataSource dataSource;
    private final IncidentConfig config;

    public RpoService(AgroalDataSource dataSource, IncidentConfig config) {
        this.dataSource = dataSource;
        this.config = config;
    }

    public record RtoForecast(Duration expectedRestore, Double throughputMiBPerSecond, int samples, boolean aboveTarget,
                              Duration rtoTarget, String note) {
    }

    /**
     * {@code via}: {@code backup} when the recovery point is the newest verified backup's, {@code wal} when it is a
     * continuous source's stored WAL (then {@code backupId} is the base backup and {@code walSegment} the newest).
     */
    public record SourceRpo(String source, String kind, Instant recoveryPointAt, String via, String backupId,
                            String walSegment, Boolean walRestorable, Duration exposure,
                            Duration rpoTarget, boolean breached, Instant lastSuccessfulBackupAt, boolean newestAttemptFailed,
                            RtoForecast rtoForecast) {

        SourceRpo withForecast(RtoForecast forecast) {
            return new SourceRpo(source, kind, recoveryPointAt, via, backupId, walSegment, walRestorable, exposure, rpoTarget,
                    breached, lastSuccessfulBackupAt, newestAttemptFailed, forecast);
        }
    }

    public List<SourceRpo> current(Instant now) {
        List<SourceRpo> result = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement("""
                     SELECT s.source, s.kind, s.rpo_target_seconds, g.recovery_point_at, g.backup_id,
                            (SELECT b.completed_at FROM proj_backup b WHERE b.source = s.source AND b.phase = 'Completed'
                              ORDER BY b.completed_at DESC LIMIT 1),
                            (SELECT b.phase = 'Failed' FROM proj_backup b WHERE b.source = s.source
                              ORDER BY b.started_at DESC NULLS LAST LIMIT 1),
                            (SELECT b.stored_bytes FROM proj_backup b WHERE b.source = s.source AND b.phase = 'Completed'
                              AND b.expired_at IS NULL ORDER BY b.completed_at DESC LIMIT 1),
                            CASE WHEN w.restorable_until <= ? THEN w.restorable_until END, w.segment,
                            CASE WHEN w.source IS NOT NULL THEN w.restorable_until IS NOT NULL END
                       FROM proj_source s
                       LEFT JOIN proj_wal w ON w.source = s.source
                       LEFT JOIN LATERAL (SELECT b.recovery_point_at, b.backup_id FROM proj_backup b
                              WHERE b.source = s.source AND b.phase = 'Completed' AND b.verified_ok
                                AND greatest(b.completed_at, b.verified_at) <= ?
                              ORDER BY b.recovery_point_at DESC LIMIT 1) g ON true
                      WHERE NOT s.removed ORDER BY s.source""")) {
            Timestamp t = Timestamp.from(now);
            s.setTimestamp(1, t);
            s.setTimestamp(2, t);
            record Row(SourceRpo partial, Long storedBytes) {
            }
            List<Row> rows = new ArrayList<>();
            Map<String, String> kinds = new LinkedHashMap<>();
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    Duration target = Duration.ofSeconds(rs.getLong(3));
                    Instant backupPoint = instant(rs.getTimestamp(4));
                    Instant walPoint = instant(rs.getTimestamp(9));
                    boolean viaWal = walPoint != null && (backupPoint == null || walPoint.isAfter(backupPoint));
                    Instant point = viaWal ? walPoint : backupPoint;
                    Duration exposure = point == null ? null : Duration.between(point, now);
                    boolean breached = exposure == null || exposure.compareTo(target) > 0;
                    Long stored = rs.getObject(8) == null ? null : rs.getLong(8);
                    kinds.put(rs.getString(1), rs.getString(2));
                    rows.add(new Row(new SourceRpo(rs.getString(1), rs.getString(2), point, point == null ? null : viaWal ? "wal" : "backup",
                            rs.getString(5), viaWal ? rs.getString(10) : null, (Boolean) rs.getObject(11), exposure, target,
                            breached, instant(rs.getTimestamp(6)), rs.getBoolean(7), null), stored));
                }
            }
            Map<String, Throughput> throughputs = throughputs(c, kinds);
            for (Row row : rows) {
                result.add(row.partial().withForecast(forecast(row.storedBytes(), throughputs.get(row.partial().source()))));
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read RPO projections: " + e.getMessage(), e);
        }
        return result;
    }

    /** {@code ownSource}: measured on restores of the source itself, not only of its kind. */
    record Throughput(Double bytesPerSecond, int samples, boolean ownSource, String kind) {
    }

    /**
     * The restore throughput to expect for every source, from one query: the mean of a source's own recent
     * restores (drills' included), else of recent restores of sources of the same kind; a database and a folder of
     * vectors restore at very different speeds, so one average over everything forecasts neither.
     */
    Map<String, Throughput> throughputs(Connection c, Map<String, String> kinds) throws SQLException {
        record Restore(String source, String kind, double bytesPerSecond, long ownRank, long kindRank) {
        }
        List<Restore> recent = new ArrayList<>();
        try (PreparedStatement s = c.prepareStatement("""
                SELECT source, kind, bps, own_rank, kind_rank FROM (
                  SELECT r.source, ps.kind, r.stored_bytes / r.duration_seconds AS bps,
                         row_number() OVER (PARTITION BY r.source ORDER BY r.completed_at DESC) AS own_rank,
                         row_number() OVER (PARTITION BY ps.kind ORDER BY r.completed_at DESC) AS kind_rank
                    FROM proj_restore r JOIN proj_source ps ON ps.source = r.source
                   WHERE r.completed_at IS NOT NULL AND r.duration_seconds > 0 AND r.stored_bytes > 0) done
                 WHERE own_rank <= ? OR kind_rank <= ?""")) {
            s.setInt(1, config.forecastSamples());
            s.setInt(2, config.forecastSamples());
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    recent.add(new Restore(rs.getString(1), rs.getString(2), rs.getDouble(3), rs.getLong(4), rs.getLong(5)));
                }
            }
        }
        Map<String, Throughput> result = new HashMap<>();
        kinds.forEach((source, kind) -> {
            List<Restore> own = recent.stream().filter(r -> r.source().equals(source) && r.ownRank() <= config.forecastSamples()).toList();
            List<Restore> used = !own.isEmpty() ? own : recent.stream()
                    .filter(r -> Objects.equals(r.kind(), kind) && r.kindRank() <= config.forecastSamples()).toList();
            Double mean = used.isEmpty() ? null : used.stream().mapToDouble(Restore::bytesPerSecond).average().orElseThrow();
            result.put(source, new Throughput(mean, used.size(), !own.isEmpty(), kind));
        });
        return result;
    }

    RtoForecast forecast(Long storedBytes, Throughput t) {
        if (storedBytes == null) {
            return new RtoForecast(null, null, t.samples(), false, config.rtoTarget(), "no completed backup to restore");
        }
        if (t.bytesPerSecond() == null) {
            return new RtoForecast(null, null, 0, false, config.rtoTarget(), "no restore of this source or of a " + t.kind()
                    + " source measured yet");
        }
        Duration expected = Duration.ofMillis((long) (storedBytes / t.bytesPerSecond() * 1000));
        return new RtoForecast(expected, Math.round(t.bytesPerSecond() / 1048576.0 * 100) / 100.0, t.samples(),
                expected.compareTo(config.rtoTarget()) > 0, config.rtoTarget(),
                "restore of the newest backup (" + storedBytes + " bytes) at the mean throughput of the last " + t.samples()
                        + (t.ownSource() ? " restores of this source" : " restores of " + t.kind() + " sources"));
    }

    public record Segment(Instant from, Instant to, Instant recoveryPointAt, String backupId, Duration exposureAtStart,
                          Duration exposureAtEnd) {
    }

    public record Interval(Instant from, Instant to) {
    }

    public record Timeline(String source, Duration rpoTarget, Instant from, Instant to, List<Segment> series,
                           List<Interval> breaches) {
    }

    /** Exposure as a step series (one segment per newest-good-backup) and the intervals above the target. */
    public Timeline timeline(String source, Instant from, Instant to) {
        try (Connection c = dataSource.getConnection()) {
            long target;
            try (PreparedStatement s = c.prepareStatement("SELECT rpo_target_seconds FROM proj_source WHERE source = ?")) {
                s.setString(1, source);
                try (ResultSet rs = s.executeQuery()) {
                    if (!rs.next()) {
                        return null;
                    }
                    target = rs.getLong(1);
                }
            }
            List<Good> goods = new ArrayList<>();
            try (PreparedStatement s = c.prepareStatement(
                    "SELECT effective_at, recovery_point_at, backup_id FROM rpo_good_backup WHERE source = ? ORDER BY effective_at, recovery_point_at")) {
                s.setString(1, source);
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) goods.add(new Good(instant(rs.getTimestamp(1)), instant(rs.getTimestamp(2)), rs.getString(3)));
                }
            }
            List<Segment> series = new ArrayList<>();
            List<Interval> breaches = new ArrayList<>();
            Duration rpo = Duration.ofSeconds(target);
            Instant cursor = from;
            Good current = null;
            for (Good g : goods) {
                if (!g.effective().isAfter(from)) {
                    if (current == null || g.point().isAfter(current.point())) current = g;
                }
            }
            List<Good> later = goods.stream().filter(g -> g.effective().isAfter(from) && g.effective().isBefore(to)).toList();
            for (int i = 0; i <= later.size(); i++) {
                Instant end = i < later.size() ? later.get(i).effective() : to;
                addSegment(series, breaches, cursor, end, current, rpo);
                if (i < later.size()) {
                    Good next = later.get(i);
                    if (current == null || next.point().isAfter(current.point())) current = next;
                    cursor = end;
                }
            }
            return new Timeline(source, rpo, from, to, series, merge(breaches));
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read RPO projections: " + e.getMessage(), e);
        }
    }

    /** A verified-good backup: when it started to count, and the recovery point it gives. */
    private record Good(Instant effective, Instant point, String id) {
    }

    private static void addSegment(List<Segment> series, List<Interval> breaches, Instant from, Instant to,
                                   Good currentGood, Duration rpo) {
        if (!to.isAfter(from)) return;
        Instant point = currentGood == null ? null : currentGood.point();
        String id = currentGood == null ? null : currentGood.id();
        series.add(new Segment(from, to, point, id, point == null ? null : Duration.between(point, from),
                point == null ? null : Duration.between(point, to)));
        if (point == null) {
            breaches.add(new Interval(from, to));
        } else {
            Instant breachStart = point.plus(rpo);
            if (breachStart.isBefore(to)) {
                breaches.add(new Interval(breachStart.isAfter(from) ? breachStart : from, to));
            }
        }
    }

    private static List<Interval> merge(List<Interval> intervals) {
        List<Interval> merged = new ArrayList<>();
        for (Interval i : intervals) {
            if (!merged.isEmpty() && !merged.get(merged.size() - 1).to().isBefore(i.from())) {
                Interval last = merged.remove(merged.size() - 1);
                merged.add(new Interval(last.from(), i.to().isAfter(last.to()) ? i.to() : last.to()));
            } else {
                merged.add(i);
            }
        }
        return merged;
    }

    static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }
}

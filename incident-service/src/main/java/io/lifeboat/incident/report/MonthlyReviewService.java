package io.lifeboat.incident.report;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/** The runbook's monthly review, computed: backup success rate, verification, restore tests, drills, RPO breaches. */
@ApplicationScoped
public class MonthlyReviewService {

    private final AgroalDataSource dataSource;
    private final RpoService rpo;

    public MonthlyReviewService(AgroalDataSource dataSource, RpoService rpo) {
        this.dataSource = dataSource;
        this.rpo = rpo;
    }

    public record SourceReview(String source, long backupsAttempted, long backupsCompleted, long backupsFailed,
                               Double successRatePercent, boolean meetsTarget, long verificationsPassed,
                               long verificationsFailed, long restoreTestsPassed, long restoreTestsFailed,
                               List<RpoService.Interval> rpoBreaches, RpoService.RtoForecast rtoForecast) {
    }

    public record DrillResult(String drillId, String scenario, Instant completedAt, String verdict, String reasons) {
    }

    public record BucketChecks(long checks, long reachable, long unreachable) {
    }

    public record Review(YearMonth month, Instant from, Instant to, List<SourceReview> sources, List<DrillResult> drills,
                         BucketChecks bucket, long incidents) {
    }

    public Review review(YearMonth month) {
        Instant from = month.atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC);
        Instant to = month.plusMonths(1).atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC);
        Instant timelineEnd = to.isAfter(Instant.now()) ? Instant.now() : to;
        List<SourceReview> sources = new ArrayList<>();
        var forecasts = rpo.current(Instant.now());
        try (Connection c = dataSource.getConnection()) {
            try (PreparedStatement s = c.prepareStatement("""
                    SELECT ps.source,
                      (SELECT count(*) FROM proj_backup b WHERE b.source = ps.source AND coalesce(b.started_at, b.failed_at) >= ? AND coalesce(b.started_at, b.failed_at) < ?),
                      (SELECT count(*) FROM proj_backup b WHERE b.source = ps.source AND b.phase = 'Completed' AND b.started_at >= ? AND b.started_at < ?),
                      (SELECT count(*) FROM proj_backup b WHERE b.source = ps.source AND b.phase = 'Failed' AND coalesce(b.started_at, b.failed_at) >= ? AND coalesce(b.started_at, b.failed_at) < ?),
                      (SELECT count(*) FROM proj_verification v WHERE v.source = ps.source AND v.ok AND v.verified_at >= ? AND v.verified_at < ?),
                      (SELECT count(*) FROM proj_verification v WHERE v.source = ps.source AND NOT v.ok AND v.verified_at >= ? AND v.verified_at < ?),
                      (SELECT count(*) FROM proj_restore r WHERE r.source = ps.source AND r.completed_at >= ? AND r.completed_at < ? AND r.checks_passed),
                      (SELECT count(*) FROM proj_restore r WHERE r.source = ps.source AND r.failed_at >= ? AND r.failed_at < ?)
                    FROM proj_source ps WHERE NOT ps.removed ORDER BY ps.source""")) {
                for (int i = 0; i < 7; i++) {
                    s.setTimestamp(2 * i + 1, Timestamp.from(from));
                    s.setTimestamp(2 * i + 2, Timestamp.from(to));
                }
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        String source = rs.getString(1);
                        long attempted = rs.getLong(2);
                        long completed = rs.getLong(3);
                        Double rate = attempted == 0 ? null : Math.round(1000.0 * completed / attempted) / 10.0;
                        var timeline = timelineEnd.isAfter(from) ? rpo.timeline(source, from, timelineEnd) : null;
                        var forecast = forecasts.stream().filter(f -> f.source().equals(source)).findFirst()
                                .map(RpoService.SourceRpo::rtoForecast).orElse(null);
                        sources.add(new SourceReview(source, attempted, completed, rs.getLong(4), rate,
                                rate != null && rate >= 100.0, rs.getLong(5), rs.getLong(6), rs.getLong(7), rs.getLong(8),
                                timeline == null ? List.of() : timeline.breaches(), forecast));
                    }
                }
            }
            List<DrillResult> drills = new ArrayList<>();
            try (PreparedStatement s = c.prepareStatement(
                    "SELECT drill_id, scenario, completed_at, verdict, reasons FROM proj_drill WHERE completed_at >= ? AND completed_at < ? ORDER BY completed_at")) {
                s.setTimestamp(1, Timestamp.from(from));
                s.setTimestamp(2, Timestamp.from(to));
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        drills.add(new DrillResult(rs.getString(1), rs.getString(2), rs.getTimestamp(3).toInstant(),
                                rs.getString(4), rs.getString(5)));
                    }
                }
            }
            BucketChecks bucket;
            try (PreparedStatement s = c.prepareStatement(
                    "SELECT count(*), count(*) FILTER (WHERE bucket_reachable) FROM proj_verification WHERE verified_at >= ? AND verified_at < ?")) {
                s.setTimestamp(1, Timestamp.from(from));
                s.setTimestamp(2, Timestamp.from(to));
                try (ResultSet rs = s.executeQuery()) {
                    rs.next();
                    bucket = new BucketChecks(rs.getLong(1), rs.getLong(2), rs.getLong(1) - rs.getLong(2));
                }
            }
            long incidents;
            try (PreparedStatement s = c.prepareStatement(
                    "SELECT count(*) FROM proj_incident WHERE declared_at >= ? AND declared_at < ?")) {
                s.setTimestamp(1, Timestamp.from(from));
                s.setTimestamp(2, Timestamp.from(to));
                try (ResultSet rs = s.executeQuery()) {
                    rs.next();
                    incidents = rs.getLong(1);
                }
            }
            return new Review(month, from, to, sources, drills, bucket, incidents);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot compute the monthly review: " + e.getMessage(), e);
        }
    }
}

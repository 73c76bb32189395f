package io.lifeboat.incident.metrics;

import io.agroal.api.AgroalDataSource;
import io.lifeboat.incident.report.RpoService;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToDoubleFunction;

/**
 * Prometheus gauges from the projections, refreshed every 15 s: RPO exposure and target per source, last
 * successful backup time, whether the newest attempt failed, whether a verified backup exists, open incidents
 * and the last RTO achieved. The alert rules in deploy/prometheus use these names.
 */
@ApplicationScoped
public class RecoveryMetrics {

    private static final Logger LOG = Logger.getLogger(RecoveryMetrics.class);

    private final RpoService rpo;
    private final AgroalDataSource dataSource;
    private final MeterRegistry registry;
    private final Map<String, RpoService.SourceRpo> bySource = new ConcurrentHashMap<>();
    private final Set<String> registered = ConcurrentHashMap.newKeySet();
    private volatile double openIncidents;
    private volatile double lastRto = Double.NaN;

    public RecoveryMetrics(RpoService rpo, AgroalDataSource dataSource, MeterRegistry registry) {
        this.rpo = rpo;
        this.dataSource = dataSource;
        this.registry = registry;
        Gauge.builder("lifeboat_open_incidents", this, m -> m.openIncidents).register(registry);
        Gauge.builder("lifeboat_last_rto_achieved_seconds", this, m -> m.lastRto).register(registry);
    }

    @Scheduled(every = "15s")
    void refresh() {
        try {
            for (RpoService.SourceRpo s : rpo.current(Instant.now())) {
                bySource.put(s.source(), s);
                if (registered.add(s.source())) {
                    gauge("lifeboat_rpo_exposure_seconds", s.source(), r -> r.exposure() == null ? Double.NaN : r.exposure().toSeconds());
                    gauge("lifeboat_rpo_target_seconds", s.source(), r -> r.rpoTarget().toSeconds());
                    gauge("lifeboat_last_successful_backup_timestamp_seconds", s.source(),
                            r -> r.lastSuccessfulBackupAt() == null ? Double.NaN : r.lastSuccessfulBackupAt().getEpochSecond());
                    gauge("lifeboat_newest_backup_failed", s.source(), r -> r.newestAttemptFailed() ? 1 : 0);
                    gauge("lifeboat_verified_backup_present", s.source(), r -> r.recoveryPointAt() == null ? 0 : 1);
                }
                if (s.walRestorable() != null && registered.add("wal:" + s.source())) {
                    // a continuous source whose stored WAL is not restorable (a gap, no base backup yet): an alert
                    gauge("lifeboat_wal_restorable", s.source(), r -> Boolean.TRUE.equals(r.walRestorable()) ? 1 : 0);
                }
            }
            try (Connection c = dataSource.getConnection(); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("""
                         SELECT (SELECT count(*) FROM incident WHERE status NOT IN ('Resolved', 'Reviewed')),
                                (SELECT extract(epoch FROM service_restored_at - impact_started_at) FROM incident
                                  WHERE service_restored_at IS NOT NULL ORDER BY service_restored_at DESC LIMIT 1)""")) {
                rs.next();
                openIncidents = rs.getLong(1);
                lastRto = rs.getObject(2) == null ? Double.NaN : rs.getDouble(2);
            }
        } catch (RuntimeException | java.sql.SQLException e) {
            LOG.debugf("metrics refresh failed: %s", e.getMessage());
        }
    }

    private void gauge(String name, String source, ToDoubleFunction<RpoService.SourceRpo> value) {
        Gauge.builder(name, bySource, m -> {
            RpoService.SourceRpo r = m.get(source);
            return r == null ? Double.NaN : value.applyAsDouble(r);
        }).tag("source", source).tag("scenario", scenarioOf(bySource.get(source).kind())).register(registry);
    }

    /** The disaster an alert about a source of this kind is about: alert rules label incidents with it. */
    static String scenarioOf(String kind) {
        return switch (kind == null ? "" : kind) {
            case "postgres" -> "database-loss";
            case "directory" -> "vector-store-corruption";
            default -> "other";
        };
    }
}

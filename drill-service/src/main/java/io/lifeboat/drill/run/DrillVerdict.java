package io.lifeboat.drill.run;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.lifeboat.drill.calendar.Drill;
import io.lifeboat.drill.scenario.Scenario;
import io.lifeboat.events.drill.DrillCompleted;
import io.lifeboat.outbox.Outbox;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/**
 * A drill's measurements and verdict: RTO (drill start to verified restore), RPO (drill start minus the recovery
 * point of the newest verified backup at that moment, what an incident would restore), restore throughput, each
 * compared with the scenario's targets.
 */
@ApplicationScoped
class DrillVerdict {

    private static final Logger LOG = Logger.getLogger(DrillVerdict.class);

    private final Outbox outbox;
    private final ObjectMapper json;

    DrillVerdict(Outbox outbox, ObjectMapper json) {
        this.outbox = outbox;
        this.json = json;
    }

    /** Records the outcome (Completed or Failed, passed or failed) and emits {@code drill.completed.v1}. */
    void finish(Drill drill, Scenario scenario, Instant start, Instant verifiedAt, List<Prepared> prepared,
                List<Restored> restored, List<String> reasons, String error) {
        Instant end = Instant.now().truncatedTo(ChronoUnit.MICROS);
        Double rto = verifiedAt == null ? null : Duration.between(start, verifiedAt).toNanos() / 1e9;
        // what a real incident at the drill's start would have lost: never the fresh backup a drill took itself
        Prepared oldest = prepared.stream().min(java.util.Comparator.comparing(Prepared::rpoBasisPoint)).orElse(null);
        Double rpo = oldest == null ? null : Duration.between(oldest.rpoBasisPoint(), start).toNanos() / 1e9;
        double restoreSeconds = restored.stream().mapToDouble(Restored::seconds).sum();
        long bytes = restored.stream().mapToLong(Restored::storedBytes).sum();
        Double throughput = restoreSeconds > 0 ? bytes / restoreSeconds : null;
        List<String> why = new ArrayList<>(reasons);
        if (rto != null && rto > scenario.rtoTargetSeconds) why.add("drill RTO " + Math.round(rto) + " s is above the target " + scenario.rtoTargetSeconds + " s");
        if (rpo != null && rpo > scenario.rpoTargetSeconds) {
            why.add("RPO " + Math.round(rpo) + " s is above the target " + scenario.rpoTargetSeconds + " s: when the drill started, "
                    + oldest.basisDescription() + " had recovery point " + oldest.rpoBasisPoint());
        }
        String verdict = error == null && why.isEmpty() && rto != null ? "passed" : "failed";
        String phase = error == null ? "Completed" : "Failed";
        Double rtoFinal = rto;
        Double rpoFinal = rpo;
        QuarkusTransaction.requiringNew().run(() -> {
            Drill d = Drill.findById(drill.id);
            d.phase = phase;
            d.completedAt = end;
            d.verdict = verdict;
            d.reasons = why;
            d.rtoSeconds = rtoFinal;
            d.rpoSeconds = rpoFinal;
            d.throughputBps = throughput;
            d.error = error;
            d.prepared = json.valueToTree(prepared);
            ArrayNode restores = json.valueToTree(restored);
            d.restores = restores;
            outbox.append(drill.actor, new DrillCompleted(d.id, d.scenario, phase, verdict, why, rtoFinal, rpoFinal, throughput,
                    start, end));
        });
        LOG.infof("drill %s %s: %s (RTO %s s)", drill.id, phase, verdict, rtoFinal);
    }
}

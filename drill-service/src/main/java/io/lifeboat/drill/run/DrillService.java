package io.lifeboat.drill.run;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.lifeboat.drill.calendar.Drill;
import io.lifeboat.http.ApiException;
import io.lifeboat.http.Paging;
import io.lifeboat.drill.scenario.Scenario;
import io.lifeboat.drill.scenario.ScenarioService;
import io.lifeboat.drill.scenario.Step;
import io.lifeboat.events.drill.DrillAnnounced;
import io.lifeboat.events.drill.DrillDebriefed;
import io.lifeboat.outbox.Outbox;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Owns drills: starting them (on demand or on their date), manual step confirmation, debriefs, crash recovery. */
@ApplicationScoped
public class DrillService {

    private static final DateTimeFormatter ID_TIME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    private final ScenarioService scenarios;
    private final DrillRunner runner;
    private final IsolatedTargets targets;
    private final Outbox outbox;
    private final EntityManager em;
    private final ObjectMapper json;
    private final java.time.Duration announceAhead;

    public DrillService(ScenarioService scenarios, DrillRunner runner, IsolatedTargets targets, Outbox outbox, EntityManager em,
                        ObjectMapper json, io.lifeboat.drill.config.DrillConfig config) {
        this.scenarios = scenarios;
        this.runner = runner;
        this.targets = targets;
        this.outbox = outbox;
        this.em = em;
        this.json = json;
        this.announceAhead = config.calendar().announceAhead();
    }

    /** {@code freshBackup}: take and restore a new test backup instead of the newest verified one. */
    public record StartRequest(String scenario, Boolean keep, String manualSteps, Boolean freshBackup) {
    }

    public Drill start(StartRequest request, String actor) {
        if (request.scenario() == null || request.scenario().isBlank()) {
            throw ApiException.badField("scenario", "is required: database-loss, vector-store-corruption, infrastructure-loss, combined or point-in-time");
        }
        String manual = request.manualSteps() == null ? "skip" : request.manualSteps().toLowerCase();
        if (!manual.equals("skip") && !manual.equals("wait")) {
            throw ApiException.badField("manualSteps", "must be skip (automated run) or wait (operators confirm each manual step)");
        }
        Scenario scenario = QuarkusTransaction.requiringNew().call(() -> scenarios.get(request.scenario()));
        try {
            targets.checkIsolated();
        } catch (DrillFailure e) {
            throw ApiException.badField("target", e.getMessage());
        }
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        Drill drill = QuarkusTransaction.requiringNew().call(() -> {
            Drill d = new Drill();
            // a random tail: two drills of one scenario can be asked for within the same second
            d.id = "drill-" + ID_TIME.format(now) + "-" + scenario.name + "-"
                    + java.util.UUID.randomUUID().toString().substring(0, 4);
            d.scenario = scenario.name;
            d.phase = "Scheduled";
            d.scheduledFor = now;
            d.trigger = "manual";
            d.createdAt = now;
            d.keepRestored = Boolean.TRUE.equals(request.keep());
            d.freshBackup = Boolean.TRUE.equals(request.freshBackup());
            d.manualSteps = manual;
            d.actor = actor;
            d.steps = pending(scenario);
            d.persist();
            return d;
        });
        runner.submit(drill.id);
        return drill;
    }

    private static List<DrillStep> pending(Scenario scenario) {
        List<DrillStep> steps = new ArrayList<>();
        for (Step s : scenario.steps) steps.add(DrillStep.pending(s.name(), s.kind().name(), s.budgetSeconds()));
        return steps;
    }

    public Drill get(String id) {
        Drill d = Drill.findById(id);
        if (d == null) throw ApiException.notFound("drill '" + id + "' does not exist; GET /drills lists them");
        return d;
    }

    /** Newest first (started, else scheduled); {@code after} continues after the last item of the previous page. */
    public List<Drill> list(Paging.Cursor after, int limit) {
        if (after == null) {
            return Drill.<Drill>find("ORDER BY coalesce(startedAt, scheduledFor) DESC, id DESC").page(0, limit).list();
        }
        return Drill.<Drill>find("coalesce(startedAt, scheduledFor) < ?1 OR (coalesce(startedAt, scheduledFor) = ?1 AND id < ?2) "
                + "ORDER BY coalesce(startedAt, scheduledFor) DESC, id DESC", after.at(), after.id()).page(0, limit).list();
    }

    /** An operator confirms a manual step; the waiting drill records its duration and carries on. */
    @Transactional
    public Drill confirmStep(String id, String step) {
        Drill d = get(id);
        DrillStep current = d.steps.stream().filter(s -> s.name().equals(step)).findFirst().orElseThrow(() ->
                ApiException.notFound("drill " + id + " has no step '" + step + "'"));
        if (!"manual".equals(current.kind())) {
            throw ApiException.conflict("step " + step + " is automated; Lifeboat carries it out itself");
        }
        if (!"pending".equals(current.status())) {
            throw ApiException.conflict("step " + step + " of drill " + id + " is already " + current.status());
        }
        if (!"Running".equals(d.phase)) {
            throw ApiException.conflict("drill " + id + " is " + d.phase + "; only a running drill's steps can be confirmed");
        }
        List<DrillStep> steps = new ArrayList<>(d.steps.stream().filter(s -> !s.name().equals(step)).toList());
        steps.add(new DrillStep(current.name(), current.kind(), current.budgetSeconds(), "confirmed", null, Instant.now(), null, null, null));
        d.steps = steps;
        return d;
    }

    public record Debrief(String worked, String didNotWork, Map<String, Long> budgetChanges) {
    }

    /** Records the debrief; accepted budget changes apply to the scenario's next drill, with their history kept. */
    @Transactional
    public Drill debrief(String id, Debrief debrief, String actor) {
        Drill d = get(id);
        if (!"Completed".equals(d.phase) && !"Failed".equals(d.phase)) {
            throw ApiException.conflict("drill " + id + " is " + d.phase + "; debrief it once it has Completed or Failed");
        }
        Scenario scenario = scenarios.get(d.scenario);
        Map<String, Long> changes = debrief.budgetChanges() == null ? Map.of() : debrief.budgetChanges();
        List<Step> steps = new ArrayList<>(scenario.steps);
        for (var change : changes.entrySet()) {
            if (change.getValue() == null || change.getValue() <= 0) {
                throw ApiException.badField("budgetChanges." + change.getKey(), "must be more than zero seconds");
            }
            int index = -1;
            for (int i = 0; i < steps.size(); i++) if (steps.get(i).name().equals(change.getKey())) index = i;
            if (index < 0) {
                throw ApiException.badField("budgetChanges." + change.getKey(), "is not a step of scenario " + scenario.name);
            }
            Step old = steps.get(index);
            steps.set(index, new Step(old.name(), old.kind(), change.getValue()));
            em.createNativeQuery("""
                    INSERT INTO scenario_budget_change (scenario, step, old_seconds, new_seconds, drill_id, changed_at, changed_by)
                    VALUES (?1, ?2, ?3, ?4, ?5, now(), ?6)""")
                    .setParameter(1, scenario.name).setParameter(2, old.name()).setParameter(3, old.budgetSeconds())
                    .setParameter(4, change.getValue()).setParameter(5, id).setParameter(6, actor).executeUpdate();
        }
        scenario.steps = steps;
        scenario.updatedAt = Instant.now();
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("worked", debrief.worked());
        record.put("didNotWork", debrief.didNotWork());
        record.put("budgetChanges", changes);
        record.put("by", actor);
        d.debrief = json.valueToTree(record);
        d.phase = "Debriefed";
        outbox.append(actor, new DrillDebriefed(id, d.scenario, debrief.worked(), debrief.didNotWork(), changes, Instant.now()));
        return d;
    }

    /** Announces calendar drills a week ahead and starts them on their date; each once across instances. */
    @Scheduled(every = "${lifeboat.drill.calendar.tick:1m}", delayed = "5s")
    void calendarTick() {
        claimDue(Instant.now());
    }

    /**
     * Announces the calendar drills due to be announced and starts the ones due at {@code now}; returns the drills
     * this call started. Each transition is one conditional UPDATE, claim first and load after: whatever the number
     * of instances and however they interleave, a drill is announced once and started once (loading the row first
     * let Hibernate flush a stale copy over another instance's claim).
     */
    public List<String> claimDue(Instant now) {
        List<String> toAnnounce = QuarkusTransaction.requiringNew().call(() -> em.createQuery(
                "SELECT d.id FROM Drill d WHERE d.phase = 'Scheduled' AND d.trigger = 'calendar' AND d.scheduledFor <= :by",
                String.class).setParameter("by", now.plus(announceAhead)).getResultList());
        for (String id : toAnnounce) {
            QuarkusTransaction.requiringNew().run(() -> {
                int claimed = em.createQuery("UPDATE Drill d SET d.phase = 'Announced', d.announcedAt = :now "
                        + "WHERE d.id = :id AND d.phase = 'Scheduled'").setParameter("now", now).setParameter("id", id).executeUpdate();
                if (claimed == 1) {
                    Drill d = Drill.findById(id);
                    outbox.append("schedule:calendar", new DrillAnnounced(d.id, d.scenario, d.scheduledFor, now));
                }
            });
        }
        List<Drill> due = QuarkusTransaction.requiringNew().call(() -> Drill.<Drill>list(
                "phase = 'Announced' AND trigger = 'calendar' AND scheduledFor <= ?1", now));
        List<String> started = new ArrayList<>();
        for (Drill d : due) {
            String steps = json.valueToTree(pending(QuarkusTransaction.requiringNew().call(() -> scenarios.get(d.scenario))))
                    .toString();
            int claimed = QuarkusTransaction.requiringNew().call(() -> em.createNativeQuery(
                    "UPDATE drill SET phase = 'Starting', manual_steps = 'skip', actor = 'schedule:calendar', "
                            + "steps = CAST(?1 AS jsonb) WHERE id = ?2 AND phase = 'Announced'")
                    .setParameter(1, steps).setParameter(2, d.id).executeUpdate());
            if (claimed == 1) {
                runner.submit(d.id);
                started.add(d.id);
            }
        }
        return started;
    }

    /** A restart never leaves a drill Running: this instance's unfinished drills fail with the reason. */
    void onStart(@Observes StartupEvent event) {
        QuarkusTransaction.requiringNew().run(() -> Drill.update(
                "phase = 'Failed', verdict = 'failed', error = 'interrupted by a restart of drill-service', completedAt = ?1 "
                        + "WHERE phase IN ('Running', 'Starting') AND (heartbeatAt IS NULL OR heartbeatAt < ?2)",
                Instant.now(), Instant.now().minusSeconds(120)));
    }
}

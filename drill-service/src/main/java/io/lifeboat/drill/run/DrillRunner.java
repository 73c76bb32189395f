package io.lifeboat.drill.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lifeboat.drill.calendar.Drill;
import io.lifeboat.drill.client.ServiceClient;
import io.lifeboat.drill.config.DrillConfig;
import io.lifeboat.drill.scenario.Scenario;
import io.lifeboat.drill.scenario.Step;
import io.lifeboat.events.drill.DrillCompleted;
import io.lifeboat.events.drill.DrillStarted;
import io.lifeboat.events.drill.DrillStepCompleted;
import io.lifeboat.events.storage.NewestTimestamp;
import io.lifeboat.outbox.Outbox;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Runs a drill as the runbook says, every step timed against its budget: take a test backup of each source and
 * record its state, restore it into an isolated target (never production), verify the restored data matches,
 * measure RTO, RPO and throughput, and clean up. Manual steps are skipped in automated runs or wait for an
 * operator's confirmation.
 */
@ApplicationScoped
public class DrillRunner {

    private static final Logger LOG = Logger.getLogger(DrillRunner.class);
    /** Steps that the restore call carries out; the first one runs it, all take their time from its steps. */
    private static final Set<String> RESTORE_STEPS = Set.of("download", "download-from-bucket", "move-aside-corrupted", "restore");

    private final ServiceClient services;
    private final DrillConfig config;
    private final Outbox outbox;
    private final ObjectMapper json;
    private final IsolatedTargets targets;
    private final ExecutorService runs = Executors.newFixedThreadPool(2, r -> {
        Thread t = new Thread(r, "drill-run");
        t.setDaemon(true);
        return t;
    });

    public DrillRunner(ServiceClient services, DrillConfig config, Outbox outbox, ObjectMapper json, IsolatedTargets targets) {
        this.services = services;
        this.config = config;
        this.outbox = outbox;
        this.json = json;
        this.targets = targets;
    }

    void onStop(@Observes ShutdownEvent event) {
        runs.shutdownNow();
    }

    public void submit(String drillId) {
        runs.submit(() -> run(drillId));
    }

    /** Per source: the test backup, its recovery point and what was in it. */
    record Prepared(String source, String kind, String backupId, Instant recoveryPoint, long storedBytes,
                    Map<String, Long> rowCounts, Map<String, NewestTimestamp> newestTimestamps, long files, long bytes,
                    String database) {
    }

    record Restored(String source, String restoreId, String restoredAs, double seconds, long storedBytes, boolean checksPassed,
                    Map<String, Double> stepSeconds, String detail) {
    }

    void run(String drillId) {
        Instant start = Instant.now().truncatedTo(ChronoUnit.MICROS);
        Drill drill = QuarkusTransaction.requiringNew().call(() -> {
            Drill d = Drill.findById(drillId);
            d.phase = "Running";
            d.startedAt = start;
            d.heartbeatAt = start;
            return d;
        });
        Scenario scenario = QuarkusTransaction.requiringNew().call(() -> Scenario.<Scenario>findById(drill.scenario));
        QuarkusTransaction.requiringNew().run(() -> outbox.append(drill.actor,
                new DrillStarted(drillId, scenario.name, scenario.sourceList(), start)));
        List<Prepared> prepared = new ArrayList<>();
        List<Restored> restored = new ArrayList<>();
        List<String> reasons = new ArrayList<>();
        Instant verifiedAt = null;
        String error = null;
        try {
            targets.checkIsolated();
            for (Step step : scenario.steps) {
                Instant s = Instant.now().truncatedTo(ChronoUnit.MICROS);
                String detail;
                String status = "done";
                double seconds;
                if (step.kind() == Step.StepKind.manual) {
                    if ("wait".equals(drill.manualSteps)) {
                        awaitConfirmation(drillId, step.name());
                        detail = "confirmed by an operator";
                    } else {
                        status = "skipped";
                        detail = "manual step, skipped in an automated drill";
                    }
                    seconds = Duration.between(s, Instant.now()).toNanos() / 1e9;
                } else if (step.name().equals("identify-latest-backup") || step.name().equals("assess")) {
                    for (String source : scenario.sourceList()) {
                        prepared.add(prepare(source, drill.useNewest));
                    }
                    detail = (drill.useNewest ? "newest backups: " : "test backups: ") + String.join(", ", prepared.stream().map(Prepared::backupId).toList());
                    seconds = Duration.between(s, Instant.now()).toNanos() / 1e9;
                } else if (RESTORE_STEPS.contains(step.name())) {
                    if (restored.isEmpty()) {
                        if (prepared.isEmpty()) {
                            for (String source : scenario.sourceList()) prepared.add(prepare(source, drill.useNewest));
                        }
                        for (Prepared p : prepared) {
                            restored.add(restoreIsolated(drillId, p));
                        }
                    }
                    seconds = restored.stream().mapToDouble(r -> r.stepSeconds().getOrDefault(restoreStepOf(step.name()), 0.0)).sum();
                    detail = restored.stream().map(r -> r.source() + " → " + r.restoredAs()).reduce((a, b) -> a + ", " + b).orElse("");
                    if (step.name().equals("move-aside-corrupted")) {
                        detail = "nothing to move aside: the drill restores into an isolated target";
                    }
                } else if (step.name().equals("verify") || step.name().equals("smoke-tests")) {
                    List<String> problems = step.name().equals("verify") ? verify(prepared, restored) : smoke(restored);
                    reasons.addAll(problems);
                    detail = !problems.isEmpty() ? String.join("; ", problems)
                            : step.name().equals("verify") ? "restored data matches the prepared state" + matched(prepared)
                            : "restore checks passed";
                    if (!problems.isEmpty()) status = "failed";
                    seconds = Duration.between(s, Instant.now()).toNanos() / 1e9;
                    if (step.name().equals("verify")) verifiedAt = Instant.now();
                } else {
                    detail = "no automated action for this step";
                    seconds = Duration.between(s, Instant.now()).toNanos() / 1e9;
                }
                record(drill, scenario, step, status, s, seconds, detail);
            }
        } catch (DrillFailure | RuntimeException e) {
            error = e.getMessage();
            reasons.add(e.getMessage());
            LOG.warnf("drill %s failed: %s", drillId, e.getMessage());
        } finally {
            if (!drill.keepRestored) {
                for (Restored r : restored) {
                    targets.cleanUp(r.restoredAs(), prepared.stream().filter(p -> p.source().equals(r.source())).findFirst()
                            .map(Prepared::kind).orElse("postgres"));
                }
            }
        }
        finish(drill, scenario, start, verifiedAt, prepared, restored, reasons, error);
    }

    private static String restoreStepOf(String drillStep) {
        return switch (drillStep) {
            case "download", "download-from-bucket" -> "download";
            case "restore" -> "restore";
            default -> drillStep;
        };
    }

    /** A fresh test backup of the source, its manifest from the bucket, and the state it holds. */
    private Prepared prepare(String source, boolean useNewest) throws DrillFailure {
        JsonNode sourceDef = services.backup("GET", "/sources/" + source, null);
        String backupId;
        if (useNewest) {
            backupId = services.restore("GET", "/catalog/" + source + "/latest", null).path("backupId").asText();
        } else {
            String id = services.backup("POST", "/backups", Map.of("source", source)).path("id").asText();
            JsonNode backup = awaitFinal(() -> services.backup("GET", "/backups/" + id, null), "Completed", "Failed");
            if (!"Completed".equals(backup.path("phase").asText())) {
                throw new DrillFailure("the test backup " + id + " of " + source + " failed: " + backup.path("error").asText());
            }
            backupId = id;
        }
        JsonNode manifest = services.restore("GET", "/catalog?source=" + source + "&limit=1000", null);
        JsonNode m = null;
        for (JsonNode entry : manifest) {
            if (entry.path("backupId").asText().equals(backupId)) m = entry;
        }
        if (m == null) {
            throw new DrillFailure("backup " + backupId + " has no manifest in the bucket");
        }
        Map<String, Long> rows = new java.util.LinkedHashMap<>();
        m.path("rowCounts").fields().forEachRemaining(e -> rows.put(e.getKey(), e.getValue().asLong()));
        Map<String, NewestTimestamp> newest = new java.util.LinkedHashMap<>();
        m.path("newestTimestamps").fields().forEachRemaining(e -> newest.put(e.getKey(),
                new NewestTimestamp(e.getValue().path("column").asText(), e.getValue().path("value").asText(null))));
        long[] filesAndBytes = {0, 0};
        if ("directory".equals(sourceDef.path("kind").asText())) {
            filesAndBytes = IsolatedTargets.count(java.nio.file.Path.of(sourceDef.path("path").asText()));
        }
        return new Prepared(source, sourceDef.path("kind").asText(), backupId, Instant.parse(m.path("recoveryPointAt").asText()),
                m.path("storedBytes").asLong(), rows, newest, filesAndBytes[0], filesAndBytes[1], m.path("database").asText(null));
    }

    private Restored restoreIsolated(String drillId, Prepared p) throws DrillFailure {
        String target = "postgres".equals(p.kind()) ? config.postgresTarget() : config.directoryTarget();
        String restoreAs = IsolatedTargets.drillName("postgres".equals(p.kind()) ? p.database() : p.source(), drillId);
        ObjectNode request = json.createObjectNode();
        request.put("source", p.source());
        request.put("backup", p.backupId());
        request.put("target", target);
        request.put("mode", "new");
        request.put("reason", "drill");
        request.put("drillId", drillId);
        request.put("restoreAs", restoreAs);
        String restoreId = services.restore("POST", "/restores", request).path("id").asText();
        JsonNode r = awaitFinal(() -> services.restore("GET", "/restores/" + restoreId, null), "Completed", "Failed");
        if (!"Completed".equals(r.path("phase").asText())) {
            throw new DrillFailure("restore " + restoreId + " of " + p.source() + " failed at " + r.path("failedStep").asText()
                    + ": " + r.path("error").asText());
        }
        Map<String, Double> steps = new java.util.HashMap<>();
        for (JsonNode s : r.path("steps")) {
            String name = s.path("name").asText();
            name = switch (name) {
                case "download-and-extract" -> "download";
                case "move-into-place", "download-and-restore" -> "restore";
                default -> name;
            };
            steps.merge(name, s.path("durationSeconds").asDouble(), Double::sum);
        }
        boolean checks = true;
        for (JsonNode c : r.path("checks")) checks &= c.path("passed").asBoolean();
        return new Restored(p.source(), restoreId, r.path("restoredAs").asText(), r.path("durationSeconds").asDouble(),
                p.storedBytes(), checks, steps, r.path("error").asText(null));
    }

    /** The restored data matches the prepared state: row counts and newest timestamps, or file count and bytes. */
    private List<String> verify(List<Prepared> prepared, List<Restored> restored) {
        List<String> problems = new ArrayList<>();
        if (restored.isEmpty()) {
            problems.add("nothing was restored");
        }
        for (Restored r : restored) {
            Prepared p = prepared.stream().filter(x -> x.source().equals(r.source())).findFirst().orElseThrow();
            if ("postgres".equals(p.kind())) {
                IsolatedTargets.TableState actual = targets.tableState(r.restoredAs(), p.rowCounts().keySet(), p.newestTimestamps());
                p.rowCounts().forEach((table, expected) -> {
                    if (!expected.equals(actual.rowCounts().get(table))) {
                        problems.add(r.source() + "." + table + ": " + actual.rowCounts().get(table) + " rows restored, "
                                + expected + " backed up");
                    }
                });
                p.newestTimestamps().forEach((table, expected) -> {
                    if (!actual.newest().containsKey(table) || !Objects.equals(expected.value(), actual.newest().get(table))) {
                        problems.add(r.source() + "." + table + ": newest " + expected.column() + " restored is "
                                + actual.newest().get(table) + ", backed up " + expected.value());
                    }
                });
            } else {
                long[] actual = IsolatedTargets.count(java.nio.file.Path.of(r.restoredAs()));
                if (actual[0] != p.files() || actual[1] != p.bytes()) {
                    problems.add(r.source() + ": " + actual[0] + " files / " + actual[1] + " bytes restored, " + p.files()
                            + " files / " + p.bytes() + " bytes in the source");
                }
            }
        }
        return problems;
    }

    /** What verify compared, for the step's detail: the numbers a drill report shows. */
    private static String matched(List<Prepared> prepared) {
        List<String> parts = new ArrayList<>();
        for (Prepared p : prepared) {
            if ("postgres".equals(p.kind())) {
                p.rowCounts().forEach((table, rows) -> parts.add(p.source() + "." + table + " " + rows + " rows"
                        + (p.newestTimestamps().containsKey(table) ? ", newest " + p.newestTimestamps().get(table).value() : "")));
            } else {
                parts.add(p.source() + " " + p.files() + " files / " + p.bytes() + " bytes");
            }
        }
        return parts.isEmpty() ? "" : ": " + String.join("; ", parts);
    }

    private static List<String> smoke(List<Restored> restored) {
        return restored.stream().filter(r -> !r.checksPassed()).map(r -> r.source() + ": restore checks failed").toList();
    }

    private void awaitConfirmation(String drillId, String step) throws DrillFailure {
        Instant deadline = Instant.now().plus(config.manualStepTimeout());
        while (Instant.now().isBefore(deadline)) {
            boolean done = QuarkusTransaction.requiringNew().call(() -> {
                Drill d = Drill.findById(drillId);
                d.heartbeatAt = Instant.now();
                return d.steps.stream().anyMatch(s -> s.name().equals(step) && "confirmed".equals(s.status()));
            });
            if (done) return;
            sleep(1000);
        }
        throw new DrillFailure("manual step " + step + " was not confirmed within " + config.manualStepTimeout());
    }

    private void record(Drill drill, Scenario scenario, Step step, String status, Instant start, double seconds, String detail) {
        Instant end = start.plusNanos((long) (seconds * 1e9));
        QuarkusTransaction.requiringNew().run(() -> {
            Drill d = Drill.findById(drill.id);
            List<DrillStep> steps = new ArrayList<>(d.steps.stream().filter(s -> !s.name().equals(step.name())).toList());
            DrillStep done = DrillStep.pending(step.name(), step.kind().name(), step.budgetSeconds()).finish(status, start, end, seconds, detail);
            steps.add(done);
            d.steps = steps;
            d.heartbeatAt = Instant.now();
            outbox.append(drill.actor, new DrillStepCompleted(drill.id, scenario.name, step.name(), start, end, seconds,
                    step.budgetSeconds(), Boolean.TRUE.equals(done.overBudget())));
        });
    }

    private void finish(Drill drill, Scenario scenario, Instant start, Instant verifiedAt, List<Prepared> prepared,
                        List<Restored> restored, List<String> reasons, String error) {
        Instant end = Instant.now().truncatedTo(ChronoUnit.MICROS);
        Double rto = verifiedAt == null ? null : Duration.between(start, verifiedAt).toNanos() / 1e9;
        Double rpo = prepared.stream().map(Prepared::recoveryPoint).min(Instant::compareTo)
                .map(p -> Duration.between(p, start).toNanos() / 1e9).orElse(null);
        if (rpo != null && rpo < 0) rpo = 0.0;
        double restoreSeconds = restored.stream().mapToDouble(Restored::seconds).sum();
        long bytes = restored.stream().mapToLong(Restored::storedBytes).sum();
        Double throughput = restoreSeconds > 0 ? bytes / restoreSeconds : null;
        List<String> why = new ArrayList<>(reasons);
        if (rto != null && rto > scenario.rtoTargetSeconds) why.add("drill RTO " + Math.round(rto) + " s is above the target " + scenario.rtoTargetSeconds + " s");
        if (rpo != null && rpo > scenario.rpoTargetSeconds) why.add("RPO " + Math.round(rpo) + " s is above the target " + scenario.rpoTargetSeconds + " s");
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

    @FunctionalInterface
    private interface Poll {
        JsonNode get();
    }

    private JsonNode awaitFinal(Poll poll, String... finals) throws DrillFailure {
        Instant deadline = Instant.now().plus(config.operationTimeout());
        while (Instant.now().isBefore(deadline)) {
            JsonNode node = poll.get();
            String phase = node.path("phase").asText();
            for (String f : finals) {
                if (f.equals(phase)) return node;
            }
            sleep(250);
        }
        throw new DrillFailure("operation did not finish within " + config.operationTimeout());
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted");
        }
    }
}

package io.lifeboat.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;

/** `lifeboat drill run|show`, `lifeboat calendar`, `lifeboat rpo`. */
@Command(name = "drill", description = "Run and inspect DR drills.", subcommands = {DrillCommands.Run.class, DrillCommands.Show.class})
public final class DrillCommands {

    static void printDrill(CliOptions options, JsonNode d) {
        if (options.json()) {
            Out.json(System.out, d);
            return;
        }
        System.out.println(d.path("id").asText() + " " + d.path("scenario").asText() + ": " + d.path("phase").asText()
                + (d.hasNonNull("verdict") ? ", " + d.path("verdict").asText() : ""));
        Out.table(System.out, d.path("steps"), new String[]{"STEP", "KIND", "STATUS", "ACTUAL s", "BUDGET s", "OVER BUDGET", "DETAIL"},
                new String[]{"name", "kind", "status", "durationSeconds", "budgetSeconds", "overBudget", "detail"});
        if (d.hasNonNull("rtoSeconds")) {
            System.out.printf("drill RTO %.1f s; RPO an incident at its start would have suffered %.0f s; restore throughput %s/s%n",
                    d.path("rtoSeconds").asDouble(), d.path("rpoSeconds").asDouble(), Out.bytes(d.path("throughputBps").asLong()));
        }
        d.path("reasons").forEach(r -> System.out.println("  reason: " + r.asText()));
    }

    @Command(name = "run", description = "Run a drill now and wait for its verdict (exit 1 unless it passed).")
    public static final class Run implements Callable<Integer> {
        @Mixin CliOptions options;
        @Parameters(index = "0", description = "database-loss, vector-store-corruption, infrastructure-loss or combined") String scenario;
        @Option(names = "--keep", description = "keep the drill's restored copies") boolean keep;
        @Option(names = "--fresh-backup", description = "take and restore a new test backup instead of the newest verified "
                + "one (the RPO is still measured on the newest verified backup when the drill starts)") boolean freshBackup;
        @Option(names = "--no-wait") boolean noWait;

        @Override
        public Integer call() {
            Api api = options.api();
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("scenario", scenario);
            body.put("keep", keep);
            body.put("freshBackup", freshBackup);
            String id = api.post("drill-service", "/drills", body).path("id").asText();
            if (noWait) {
                System.out.println(id);
                return 0;
            }
            JsonNode d = Wait.until(System.err, options.json(), "drill " + id, () -> api.get("drill-service", "/drills/" + id),
                    Set.of("Completed", "Failed", "Debriefed"));
            printDrill(options, d);
            return "passed".equals(d.path("verdict").asText()) ? 0 : 1;
        }
    }

    @Command(name = "show", description = "Show a drill's steps against their budgets and its verdict.")
    public static final class Show implements Callable<Integer> {
        @Mixin CliOptions options;
        @Parameters(index = "0") String id;

        @Override
        public Integer call() {
            printDrill(options, options.api().get("drill-service", "/drills/" + id));
            return 0;
        }
    }

    @Command(name = "calendar", description = "The drill calendar of a year.")
    public static final class Calendar implements Callable<Integer> {
        @Mixin CliOptions options;
        @Option(names = "--year") Integer year;

        @Override
        public Integer call() {
            JsonNode cal = options.api().get("drill-service", "/calendar" + (year == null ? "" : "?year=" + year));
            if (options.json()) Out.json(System.out, cal);
            else Out.table(System.out, cal, new String[]{"QUARTER", "DATE", "SCENARIO", "ANNOUNCED", "PHASE", "DRILL"},
                    new String[]{"quarter", "date", "scenario", "announceAt", "phase", "drillId"});
            return 0;
        }
    }

    @Command(name = "rpo", description = "Each source's recovery point, exposure, target, breach and RTO forecast.")
    public static final class Rpo implements Callable<Integer> {
        @Mixin CliOptions options;

        @Override
        public Integer call() {
            JsonNode rpo = options.api().get("incident-service", "/rpo");
            if (options.json()) Out.json(System.out, rpo);
            else Out.table(System.out, rpo, new String[]{"SOURCE", "RECOVERY POINT", "EXPOSURE", "TARGET", "BREACHED", "RTO FORECAST", "ABOVE RTO"},
                    new String[]{"source", "recoveryPointAt", "exposure", "rpoTarget", "breached", "rtoForecast.expectedRestore",
                            "rtoForecast.aboveTarget"});
            boolean breached = false;
            for (JsonNode s : rpo) breached |= s.path("breached").asBoolean();
            return breached ? 1 : 0;
        }
    }
}

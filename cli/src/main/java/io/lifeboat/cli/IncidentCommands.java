package io.lifeboat.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** `lifeboat incident declare|status|restored|resolve|show` and `lifeboat report ID`. */
@Command(name = "incident", description = "Declare and drive an incident.", subcommands = {
        IncidentCommands.Declare.class, IncidentCommands.Status.class, IncidentCommands.Restored.class,
        IncidentCommands.Resolve.class, IncidentCommands.Show.class})
public final class IncidentCommands {

    static void print(CliOptions options, JsonNode incident) {
        if (options.json()) {
            Out.json(System.out, incident);
        } else {
            System.out.println(incident.path("id").asText() + " " + incident.path("status").asText() + " (" + incident.path("severity").asText()
                    + ", " + incident.path("scenario").asText() + "): " + incident.path("title").asText());
        }
    }

    @Command(name = "declare", description = "Declare an incident; prints its id.")
    public static final class Declare implements Callable<Integer> {
        @Mixin CliOptions options;
        @Option(names = "--scenario", required = true, description = "database-loss, vector-store-corruption, infrastructure-loss, combined, other") String scenario;
        @Option(names = "--title", required = true) String title;
        @Option(names = "--severity", defaultValue = "SEV1") String severity;
        @Option(names = "--impact-start", description = "when impact began (ISO instant; default now)") String impactStart;
        @Option(names = "--detected", description = "when it was detected (ISO instant)") String detected;
        @Option(names = "--source", description = "affected source (repeatable)") List<String> sources;
        @Option(names = {"-q", "--quiet"}, description = "print only the id") boolean quiet;

        @Override
        public Integer call() {
            ObjectNode body = Api.JSON.createObjectNode();
            body.put("title", title).put("severity", severity).put("scenario", scenario);
            if (impactStart != null) body.put("impactStartedAt", impactStart);
            if (detected != null) body.put("detectedAt", detected);
            if (sources != null) sources.forEach(body.putArray("sources")::add);
            JsonNode incident = options.api().post("incident-service", "/incidents", body);
            if (quiet) System.out.println(incident.path("id").asText()); else print(options, incident);
            return 0;
        }
    }

    @Command(name = "status", description = "Move an incident to a status (Investigating, Restoring, Monitoring, Resolved, Reviewed).")
    public static final class Status implements Callable<Integer> {
        @Mixin CliOptions options;
        @Parameters(index = "0") String id;
        @Parameters(index = "1") String status;

        @Override
        public Integer call() {
            print(options, options.api().post("incident-service", "/incidents/" + id + "/status", Map.of("status", status)));
            return 0;
        }
    }

    @Command(name = "restored", description = "Record that service is back (stops the RTO clock).")
    public static final class Restored implements Callable<Integer> {
        @Mixin CliOptions options;
        @Parameters(index = "0") String id;
        @Option(names = "--at", description = "ISO instant (default now)") String at;

        @Override
        public Integer call() {
            print(options, options.api().post("incident-service", "/incidents/" + id + "/service-restored",
                    at == null ? Map.of() : Map.of("at", at)));
            return 0;
        }
    }

    @Command(name = "resolve", description = "Resolve an incident.")
    public static final class Resolve implements Callable<Integer> {
        @Mixin CliOptions options;
        @Parameters(index = "0") String id;

        @Override
        public Integer call() {
            print(options, options.api().post("incident-service", "/incidents/" + id + "/status", Map.of("status", "Resolved")));
            return 0;
        }
    }

    @Command(name = "show", description = "Show an incident.")
    public static final class Show implements Callable<Integer> {
        @Mixin CliOptions options;
        @Parameters(index = "0") String id;

        @Override
        public Integer call() {
            print(options, options.api().get("incident-service", "/incidents/" + id));
            return 0;
        }
    }

    @Command(name = "report", description = "The post-incident report (markdown, json or html).")
    public static final class Report implements Callable<Integer> {
        @Mixin CliOptions options;
        @Parameters(index = "0") String id;
        @Option(names = "--format", defaultValue = "md", description = "md, json or html") String format;

        @Override
        public Integer call() {
            String accept = switch (format) {
                case "json" -> "application/json";
                case "html" -> "text/html";
                case "md", "markdown" -> "text/markdown";
                default -> throw new Api.Failure(400, "--format must be md, json or html");
            };
            System.out.println(options.api().text("incident-service", "/incidents/" + id + "/report", accept));
            return 0;
        }
    }
}

package io.lifeboat.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.Set;
import java.util.concurrent.Callable;

/** `lifeboat restore SOURCE ...`: the runbook's identify, download, move aside, restore and verify in one command. */
@Command(name = "restore", description = "Restore a source from its backups in S3 and wait for it (exit 1 if it fails).")
public final class RestoreCommand implements Callable<Integer> {

    @Mixin
    CliOptions options;

    @Parameters(index = "0", description = "source name, e.g. analytics-db")
    String source;

    @ArgGroup(exclusive = true)
    Which which;

    static final class Which {
        @Option(names = "--backup", description = "a backup id") String backup;
        @Option(names = "--at", description = "an ISO instant: a continuous source is recovered to exactly that "
                + "instant (point in time, see `lifeboat window`); other sources restore their newest backup not after it")
        String at;
        @Option(names = "--latest", description = "the newest backup (default)") boolean latest;
    }

    @Option(names = "--target", description = "target name (default: the source's home target)")
    String target;

    @Option(names = "--replace", description = "replace the target's data (old data is moved aside, never deleted)")
    boolean replace;

    @Option(names = "--confirm", description = "the production target's name, required with --replace on production")
    String confirm;

    @Option(names = "--incident", description = "incident id this restore belongs to")
    String incident;

    @Option(names = "--no-wait", description = "return once the restore is accepted")
    boolean noWait;

    /**
     * Starts the restore. A point in time only seconds old may not be in the bucket yet (the WAL trails the source by
     * about a second): then this waits, up to a minute, for the window to reach it, saying so, and asks again.
     */
    private JsonNode post(Api api, ObjectNode body) {
        try {
            return api.post("restore-service", "/restores", body);
        } catch (Api.Failure refused) {
            if (refused.status != 400 || which == null || which.at == null || !refused.getMessage().contains("recoverability window")) {
                throw refused;
            }
            java.time.Instant at;
            try {
                at = java.time.Instant.parse(which.at);
            } catch (java.time.format.DateTimeParseException e) {
                throw refused;
            }
            if (at.isBefore(java.time.Instant.now().minusSeconds(60))) {
                throw refused;
            }
            System.err.println("waiting for the WAL in the bucket to reach " + at + " ...");
            java.time.Instant deadline = java.time.Instant.now().plusSeconds(60);
            while (java.time.Instant.now().isBefore(deadline)) {
                String latest = api.get("restore-service", "/catalog/" + source + "/window").path("latest").asText("");
                if (!latest.isEmpty() && !java.time.Instant.parse(latest).isBefore(at)) {
                    return api.post("restore-service", "/restores", body);
                }
                try {
                    Thread.sleep(500);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw refused;
                }
            }
            throw refused;
        }
    }

    @Override
    public Integer call() {
        Api api = options.api();
        ObjectNode body = Api.JSON.createObjectNode();
        body.put("source", source);
        if (which != null && which.backup != null) body.put("backup", which.backup);
        else if (which != null && which.at != null) body.putObject("backup").put("at", which.at);
        else body.put("backup", "latest");
        if (target != null) body.put("target", target);
        body.put("mode", replace ? "replace" : "new");
        if (confirm != null) body.put("confirm", confirm);
        if (incident != null) {
            body.put("reason", "incident");
            body.put("incidentId", incident);
        }
        JsonNode accepted = post(api, body);
        String id = accepted.path("id").asText();
        if (noWait) {
            if (options.json()) Out.json(System.out, accepted); else System.out.println(id);
            return 0;
        }
        if (!options.json()) {
            String what = accepted.path("pointInTime").isMissingNode() ? accepted.path("backupId").asText()
                    : accepted.path("pointInTime").path("recoveryTarget").asText().equals("time")
                    ? "to " + accepted.path("pointInTime").path("at").asText() + " from base backup " + accepted.path("backupId").asText()
                    : accepted.path("pointInTime").path("recoveryTarget").asText() + " WAL from base backup " + accepted.path("backupId").asText();
            System.err.println("restoring " + what + " into " + accepted.path("target").asText() + " (" + id + ")");
        }
        JsonNode done = Wait.untilFinal(System.err, options.json(), "restore " + id,
                () -> api.get("restore-service", "/restores/" + id + Wait.SERVER_WAIT), Set.of("Completed", "Failed"));
        if (options.json()) {
            Out.json(System.out, done);
        } else {
            Out.table(System.out, done.path("steps"), new String[]{"STEP", "DURATION s", "DETAIL"},
                    new String[]{"name", "durationSeconds", "detail"});
            done.path("checks").forEach(c -> System.out.println((c.path("passed").asBoolean() ? "  pass " : "  FAIL ")
                    + c.path("name").asText() + ": " + c.path("detail").asText()));
            if ("Completed".equals(done.path("phase").asText())) {
                System.out.printf("restore %s Completed in %.1f s: %s (recovery point %s) is now %s%s%n", id,
                        done.path("durationSeconds").asDouble(), done.path("backupId").asText(),
                        done.path("recoveryPointAt").asText(), done.path("restoredAs").asText(),
                        done.hasNonNull("movedAsideAs") ? "; the damaged data was moved aside to " + done.path("movedAsideAs").asText() : "");
            } else {
                System.err.println("lifeboat: restore " + id + " failed at " + done.path("failedStep").asText() + ": "
                        + done.path("error").asText());
            }
        }
        return "Completed".equals(done.path("phase").asText()) ? 0 : 1;
    }
}

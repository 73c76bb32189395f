package io.lifeboat.drill.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lifeboat.drill.client.ServiceClient;
import io.lifeboat.drill.config.DrillConfig;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/** The drill's restore: the prepared backup into the isolated, non-production target, through restore-service. */
@ApplicationScoped
class IsolatedRestore {

    private final ServiceClient services;
    private final DrillConfig config;
    private final ObjectMapper json;

    IsolatedRestore(ServiceClient services, DrillConfig config, ObjectMapper json) {
        this.services = services;
        this.config = config;
        this.json = json;
    }

    Restored restore(String drillId, Prepared p) throws DrillFailure {
        String target = "postgres".equals(p.kind()) ? config.postgresTarget() : config.directoryTarget();
        String restoreAs = IsolatedTargets.drillName("postgres".equals(p.kind()) ? p.database() : p.source(), drillId);
        ObjectNode request = json.createObjectNode();
        request.put("source", p.source());
        if (p.continuous()) {
            request.putObject("backup").put("at", p.pointInTime().toString());
        } else {
            request.put("backup", p.backupId());
        }
        request.put("target", target);
        request.put("mode", "new");
        request.put("reason", "drill");
        request.put("drillId", drillId);
        request.put("restoreAs", restoreAs);
        String restoreId = services.restore("POST", "/restores", request).path("id").asText();
        JsonNode r = Await.finalPhase(() -> services.restore("GET", "/restores/" + restoreId + Await.SERVER_WAIT, null), config.operationTimeout(),
                Set.of("Completed", "Failed"));
        if (!"Completed".equals(r.path("phase").asText())) {
            throw new DrillFailure("restore " + restoreId + " of " + p.source() + " failed at " + r.path("failedStep").asText()
                    + ": " + r.path("error").asText());
        }
        Map<String, Double> steps = new HashMap<>();
        for (JsonNode s : r.path("steps")) {
            steps.merge(drillStepOf(s.path("name").asText()), s.path("durationSeconds").asDouble(), Double::sum);
        }
        boolean checks = true;
        for (JsonNode c : r.path("checks")) checks &= c.path("passed").asBoolean();
        return new Restored(p.source(), restoreId, r.path("restoredAs").asText(), r.path("durationSeconds").asDouble(),
                p.storedBytes(), checks, steps, r.path("error").asText(null));
    }

    /** The runbook step a restore-service step is timed under. */
    private static String drillStepOf(String restoreStep) {
        return switch (restoreStep) {
            case "download-and-extract" -> "download";
            case "move-into-place", "download-and-restore" -> "restore";
            default -> restoreStep;
        };
    }
}

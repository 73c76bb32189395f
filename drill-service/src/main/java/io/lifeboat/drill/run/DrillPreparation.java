package io.lifeboat.drill.run;

import com.fasterxml.jackson.databind.JsonNode;
import io.lifeboat.drill.client.ServiceClient;
import io.lifeboat.drill.config.DrillConfig;
import io.lifeboat.events.storage.NewestTimestamp;
import jakarta.enterprise.context.ApplicationScoped;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The runbook's "identify the latest backup" for a drill: the newest backup of the source that had completed and
 * been verified good when the drill started (what a real incident at that moment would restore), or a fresh test
 * backup when asked; its manifest from the bucket (through restore-service's catalogue), and the state it holds,
 * which verify compares.
 */
@ApplicationScoped
class DrillPreparation {

    private final ServiceClient services;
    private final DrillConfig config;
    private final PointInTimePreparation pointInTime;

    DrillPreparation(ServiceClient services, DrillConfig config, PointInTimePreparation pointInTime) {
        this.services = services;
        this.config = config;
        this.pointInTime = pointInTime;
    }

    /** The source as backup-service defines it. */
    JsonNode definition(String source) throws DrillFailure {
        return services.backup("GET", "/sources/" + source, null);
    }

    /** The point-in-time drill's preparation: restore to the instant its staged accident noted. */
    Prepared prepareAccident(AccidentSimulation.Accident accident, Instant drillStart) throws DrillFailure {
        return pointInTime.prepareAccident(accident, definition(accident.source()), drillStart);
    }

    Prepared prepare(String source, boolean freshBackup, Instant drillStart) throws DrillFailure {
        JsonNode sourceDef = services.backup("GET", "/sources/" + source, null);
        if (sourceDef.path("continuous").asBoolean()) {
            return pointInTime.prepare(source, sourceDef, drillStart);
        }
        JsonNode basis;
        try {
            basis = services.backup("GET", "/sources/" + source + "/recovery-point?at="
                    + URLEncoder.encode(drillStart.toString(), StandardCharsets.UTF_8), null);
        } catch (ServiceClient.CallFailed e) {
            if (e.status() != 404) throw e;
            throw new DrillFailure("source " + source + " had no verified backup when the drill started (" + drillStart
                    + "): an incident then would have had nothing to restore");
        }
        String backupId = freshBackup ? freshBackup(source) : basis.path("id").asText();
        JsonNode m = services.restore("GET", "/catalog/" + source + "/backups/" + backupId, null);
        Map<String, Long> rows = new LinkedHashMap<>();
        m.path("rowCounts").fields().forEachRemaining(e -> rows.put(e.getKey(), e.getValue().asLong()));
        Map<String, NewestTimestamp> newest = new LinkedHashMap<>();
        m.path("newestTimestamps").fields().forEachRemaining(e -> newest.put(e.getKey(),
                new NewestTimestamp(e.getValue().path("column").asText(), e.getValue().path("value").asText(null))));
        return new Prepared(source, sourceDef.path("kind").asText(), backupId, Instant.parse(m.path("recoveryPointAt").asText()),
                m.path("storedBytes").asLong(), rows, newest, m.path("fileCount").asLong(-1), m.path("fileBytes").asLong(-1),
                m.path("database").asText(null), basis.path("id").asText(), Instant.parse(basis.path("recoveryPointAt").asText()),
                null);
    }

    /** A test backup taken now (the seed plan's "create test backup"). */
    private String freshBackup(String source) throws DrillFailure {
        String id = services.backup("POST", "/backups", Map.of("source", source)).path("id").asText();
        JsonNode backup = Await.finalPhase(() -> services.backup("GET", "/backups/" + id + Await.SERVER_WAIT, null), config.operationTimeout(),
                Set.of("Completed", "Failed"));
        if (!"Completed".equals(backup.path("phase").asText())) {
            throw new DrillFailure("the test backup " + id + " of " + source + " failed: " + backup.path("error").asText());
        }
        return id;
    }
}

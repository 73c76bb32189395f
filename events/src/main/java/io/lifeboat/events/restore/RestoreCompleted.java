package io.lifeboat.events.restore;

import io.lifeboat.events.EventPayload;
import java.time.Instant;
import java.util.List;

/** A restore finished and its checks passed. */
public record RestoreCompleted(String restoreId, String source, String backupId, Instant recoveryPointAt, String target, String mode, String reason, String incidentId, String drillId, Instant startedAt, Instant completedAt, double durationSeconds, long storedBytes, List<CheckResult> checks) implements EventPayload {

    @Override
    public String subject() {
        return restoreId;
    }
}

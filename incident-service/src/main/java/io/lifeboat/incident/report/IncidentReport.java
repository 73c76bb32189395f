package io.lifeboat.incident.report;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;

/** The post-incident report, following the runbook's checklist; the JSON form of the markdown and HTML. */
public record IncidentReport(
        String incidentId, String title, String severity, String scenario, String status,
        FiveWs fiveWs,
        Milestones milestones,
        Objective rto,
        List<DataLoss> dataLoss,
        Alerts alerts,
        List<RunbookStep> steps,
        TestedSince testedSince,
        RunbookUpdates runbookUpdates,
        Postmortem postmortem,
        List<ActionItem> actions,
        List<TimelineEntry> timeline) {

    public record FiveWs(String what, Instant when, List<String> where, String who, String why) {
    }

    public record Milestones(Instant impactStartedAt, Instant detectedAt, Instant declaredAt, Instant restoreStartedAt,
                             Instant restoreCompletedAt, Instant serviceRestoredAt, Instant resolvedAt,
                             Duration timeToDetect, Duration timeToDeclare, Duration timeToRestore) {
    }

    /** An achieved duration against its target; {@code met} is null while it cannot be known yet. */
    public record Objective(Duration achieved, Duration target, Boolean met) {
    }

    /**
     * Data lost on one source: impact start minus the recovery point of the backup restored. When that backup was
     * taken after the impact started it may hold the damage itself: data loss is then not stated (null) and
     * {@code note} says why.
     */
    public record DataLoss(String source, String backupId, Instant recoveryPointAt, Duration dataLoss, Duration rpoTarget,
                           Boolean withinTarget, String restoreId, String note) {
    }

    /** The checklist's "update runbook with learnings": drill debriefs since the incident, and their budget changes. */
    public record RunbookUpdates(boolean updated, List<String> learnings, String note) {
    }

    public record Alerts(boolean fired, Instant firstFiredAt, List<String> names) {
    }

    public record RunbookStep(String restoreId, String name, Instant startedAt, Instant completedAt, Double durationSeconds) {
    }

    public record TestedSince(boolean tested, Instant lastRestoreTestAt, Instant lastDrillAt, String lastDrillVerdict) {
    }

    public record Postmortem(Instant scheduledAt, boolean within48Hours, String note) {
    }

    public record ActionItem(String id, String title, String owner, LocalDate dueDate, boolean closed) {
    }

    public record TimelineEntry(Instant time, Duration offsetFromImpact, String type, String subject, String summary,
                                JsonNode data) {
    }
}

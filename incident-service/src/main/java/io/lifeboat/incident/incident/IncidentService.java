package io.lifeboat.incident.incident;

import io.lifeboat.events.incident.ActionAdded;
import io.lifeboat.events.incident.ActionClosed;
import io.lifeboat.events.incident.IncidentDeclared;
import io.lifeboat.events.incident.IncidentResolved;
import io.lifeboat.events.incident.IncidentStatusChanged;
import io.lifeboat.events.incident.NoteAdded;
import io.lifeboat.events.incident.PostmortemScheduled;
import io.lifeboat.events.incident.ServiceRestored;
import io.lifeboat.http.ApiException;
import io.lifeboat.http.Paging;
import io.lifeboat.http.Problem;
import io.lifeboat.outbox.Outbox;
import io.quarkus.panache.common.Sort;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;

/** Owns incidents: declaration, the status machine, the RTO clock, notes, actions, post-mortems. */
@ApplicationScoped
public class IncidentService {

    /** Clocks differ a little; an impact start this far ahead of now is still accepted as "now". */
    private static final Duration CLOCK_SKEW = Duration.ofMinutes(1);

    private final Outbox outbox;
    private final EntityManager em;

    public IncidentService(Outbox outbox, EntityManager em) {
        this.outbox = outbox;
        this.em = em;
    }

    public Incident get(String id) {
        Incident incident = Incident.findById(id);
        if (incident == null) {
            throw ApiException.notFound("incident '" + id + "' does not exist; GET /incidents lists them");
        }
        return incident;
    }

    /** Newest first; {@code after} continues after the last item of the previous page. */
    public List<Incident> list(Paging.Cursor after, int limit) {
        if (after == null) {
            return Incident.<Incident>findAll(Sort.descending("declaredAt", "id")).page(0, limit).list();
        }
        return Incident.<Incident>find("declaredAt < ?1 OR (declaredAt = ?1 AND id < ?2) ORDER BY declaredAt DESC, id DESC",
                after.at(), after.id()).page(0, limit).list();
    }

    @Transactional
    public Incident declare(IncidentRequests.Declare r, String actor) {
        Instant now = now();
        Instant impact = r.impactStartedAt() == null ? now : r.impactStartedAt().truncatedTo(ChronoUnit.MICROS);
        if (impact.isAfter(now.plus(CLOCK_SKEW))) {
            throw ApiException.badField("impactStartedAt", "is in the future (" + impact + "); impact cannot start after now");
        }
        Instant detected = r.detectedAt() == null ? null : r.detectedAt().truncatedTo(ChronoUnit.MICROS);
        if (detected != null && detected.isBefore(impact)) {
            throw ApiException.badField("detectedAt", "is before impactStartedAt; an incident is detected after it starts");
        }
        if (detected != null && detected.isAfter(now.plus(CLOCK_SKEW))) {
            throw ApiException.badField("detectedAt", "is in the future");
        }
        int year = now.atZone(ZoneOffset.UTC).getYear();
        // serialise id allocation per year across instances
        em.createNativeQuery("SELECT pg_advisory_xact_lock(:key)").setParameter("key", 7_000_000L + year).getSingleResult();
        Number max = (Number) em.createNativeQuery("SELECT coalesce(max(seq_no), 0) FROM incident WHERE seq_year = :y")
                .setParameter("y", year).getSingleResult();
        Incident incident = new Incident();
        incident.seqYear = year;
        incident.seqNo = max.intValue() + 1;
        incident.id = String.format("INC-%d-%04d", year, incident.seqNo);
        incident.title = r.title().strip();
        incident.severity = r.severity();
        incident.scenario = r.scenario().value();
        incident.status = IncidentStatus.Declared;
        incident.impactStartedAt = impact;
        incident.detectedAt = detected;
        incident.declaredAt = now;
        incident.sources = r.sources() == null ? "" : String.join(",", r.sources());
        incident.declaredBy = actor;
        incident.persist();
        outbox.append(actor, new IncidentDeclared(incident.id, incident.title, incident.severity.name(), incident.scenario,
                impact, detected, now, incident.sourceList()));
        return incident;
    }

    @Transactional
    public Incident changeStatus(String id, IncidentStatus to, String actor) {
        Incident incident = get(id);
        if (incident.status == to) {
            return incident; // already there (a restore or "service restored" may have moved it): nothing to record
        }
        if (!incident.status.next().contains(to)) {
            throw ApiException.conflict("incident " + id + " is " + incident.status + "; it can go to "
                    + (incident.status.next().isEmpty() ? "no other status" : incident.status.next()) + ", not " + to);
        }
        Instant now = now();
        IncidentStatus from = incident.status;
        incident.status = to;
        outbox.append(actor, new IncidentStatusChanged(id, from.name(), to.name(), now));
        if (to == IncidentStatus.Resolved) {
            incident.resolvedAt = now;
            if (incident.serviceRestoredAt == null) {
                // resolving implies service is back; the RTO clock stops here at the latest
                incident.serviceRestoredAt = now;
                outbox.append(actor, new ServiceRestored(id, now));
            }
            outbox.append(actor, new IncidentResolved(id, now));
        }
        if (to == IncidentStatus.Reviewed) {
            incident.reviewedAt = now;
        }
        return incident;
    }

    @Transactional
    public Incident serviceRestored(String id, Instant at, String actor) {
        Incident incident = get(id);
        Instant now = now();
        Instant when = at == null ? now : at.truncatedTo(ChronoUnit.MICROS);
        if (when.isBefore(incident.impactStartedAt)) {
            throw ApiException.badField("at", "is before the impact started (" + incident.impactStartedAt + ")");
        }
        if (when.isAfter(now.plus(CLOCK_SKEW))) {
            throw ApiException.badField("at", "is in the future");
        }
        if (!incident.status.open()) {
            throw ApiException.conflict("incident " + id + " is " + incident.status + "; its RTO clock already stopped");
        }
        incident.serviceRestoredAt = when;
        outbox.append(actor, new ServiceRestored(id, when));
        if (incident.status.next().contains(IncidentStatus.Monitoring)) {
            // service is back: the incident is watched from now on, as the runbook's "monitor for 1 hour"
            changeStatus(id, IncidentStatus.Monitoring, actor);
        }
        return incident;
    }

    /**
     * A restore linked to the incident started: the incident is Restoring from now, recorded with the restore's
     * actor and time. Later statuses (Monitoring, Resolved, ...) are left as they are, except that a new restore
     * during Monitoring means restoring again.
     */
    @Transactional
    public void restoreStarted(String id, String restoreId, String actor) {
        Incident incident = Incident.findById(id);
        if (incident == null || !incident.status.open() || incident.status == IncidentStatus.Restoring) {
            return;
        }
        if (incident.status.next().contains(IncidentStatus.Restoring)) {
            changeStatus(id, IncidentStatus.Restoring, actor == null ? "restore:" + restoreId : actor);
        }
    }

    @Transactional
    public IncidentNote addNote(String id, String text, String actor) {
        get(id);
        IncidentNote note = new IncidentNote();
        note.id = "NOTE-" + UUID.randomUUID().toString().substring(0, 8);
        note.incidentId = id;
        note.text = text;
        note.author = actor;
        note.addedAt = now();
        note.persist();
        outbox.append(actor, new NoteAdded(id, note.id, text, actor, note.addedAt));
        return note;
    }

    @Transactional
    public IncidentAction addAction(String id, IncidentRequests.Action r, String actor) {
        get(id);
        long n = IncidentAction.count("incidentId", id) + 1;
        IncidentAction action = new IncidentAction();
        action.id = id + "-A" + n;
        action.incidentId = id;
        action.title = r.title();
        action.owner = r.owner();
        action.dueDate = r.dueDate();
        action.addedAt = now();
        action.persist();
        outbox.append(actor, new ActionAdded(id, action.id, action.title, action.owner, action.dueDate, action.addedAt));
        return action;
    }

    @Transactional
    public IncidentAction closeAction(String id, String actionId, String actor) {
        IncidentAction action = IncidentAction.findById(actionId);
        if (action == null || !action.incidentId.equals(id)) {
            throw ApiException.notFound("action '" + actionId + "' does not exist on incident " + id);
        }
        if (action.closedAt != null) {
            throw ApiException.conflict("action " + actionId + " was already closed at " + action.closedAt);
        }
        action.closedAt = now();
        outbox.append(actor, new ActionClosed(id, actionId, action.closedAt));
        return action;
    }

    @Transactional
    public Incident schedulePostmortem(String id, Instant at, String actor) {
        Incident incident = get(id);
        incident.postmortemAt = at.truncatedTo(ChronoUnit.MICROS);
        outbox.append(actor, new PostmortemScheduled(id, incident.postmortemAt, within48Hours(incident)));
        return incident;
    }

    /** The runbook wants the post-mortem within 48 h of resolution (of declaration while still open). */
    public static boolean within48Hours(Incident i) {
        if (i.postmortemAt == null) {
            return false;
        }
        Instant from = i.resolvedAt != null ? i.resolvedAt : i.declaredAt;
        return !i.postmortemAt.isAfter(from.plus(Duration.ofHours(48)));
    }

    private static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MICROS);
    }

    static List<Problem.FieldError> none() {
        return List.of();
    }
}

package io.lifeboat.incident.rest;

import com.fasterxml.jackson.databind.JsonNode;
import io.lifeboat.incident.eventlog.EventCursor;
import io.lifeboat.incident.eventlog.EventStore;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.QueryParam;

import java.time.Instant;
import java.util.List;

/** The event log: every event of every service, newest first. */
@Path("/events")
public class EventResource {

    private final EventStore store;

    public EventResource(EventStore store) {
        this.store = store;
    }

    /** One stored CloudEvent. */
    public record EventView(String id, String type, String source, String subject, Instant time, String actor,
                            JsonNode data, Instant receivedAt) {
    }

    @GET
    @RolesAllowed({"viewer", "operator", "admin"})
    public Page<EventView> list(@QueryParam("type") String type, @QueryParam("subject") String subject,
                                @QueryParam("limit") @DefaultValue("50") String limit,
                                @QueryParam("cursor") String cursor) {
        int size = Limits.parse(limit);
        EventCursor after = null;
        if (cursor != null && !cursor.isBlank()) {
            try {
                after = EventCursor.decode(cursor);
            } catch (IllegalArgumentException e) {
                throw ApiException.badField("cursor", e.getMessage());
            }
        }
        List<EventStore.StoredEvent> events = store.find(blank(type), blank(subject), after, size);
        String next = events.size() == size
                ? new EventCursor(events.get(size - 1).event().time(), events.get(size - 1).seq()).encode() : null;
        return new Page<>(events.stream().map(e -> new EventView(e.event().id(), e.event().type(), e.event().source(),
                e.event().subject(), e.event().time(), e.event().actor(), e.event().data(), e.receivedAt())).toList(), next);
    }

    private static String blank(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}

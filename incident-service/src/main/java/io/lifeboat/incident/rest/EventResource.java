package io.lifeboat.incident.rest;

import io.lifeboat.http.ApiException;
import io.lifeboat.http.Paging;
import io.lifeboat.http.Paging.Page;

import com.fasterxml.jackson.databind.JsonNode;
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
        int size = Paging.limit(limit);
        Paging.Cursor after = Paging.cursor(cursor);
        long afterSeq;
        try {
            afterSeq = after == null ? 0 : Long.parseLong(after.id());
        } catch (NumberFormatException e) {
            throw ApiException.badField("cursor", "is not a cursor returned by this API (use nextCursor of the previous page)");
        }
        List<EventStore.StoredEvent> events = store.find(blank(type), blank(subject), after == null ? null : after.at(),
                afterSeq, size);
        return Paging.page(events, size, e -> new Paging.Cursor(e.event().time(), Long.toString(e.seq())),
                e -> new EventView(e.event().id(), e.event().type(), e.event().source(), e.event().subject(),
                        e.event().time(), e.event().actor(), e.event().data(), e.receivedAt()));
    }

    private static String blank(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}

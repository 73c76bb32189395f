package io.lifeboat.incident.rest;

import io.lifeboat.http.ApiException;

import io.lifeboat.incident.report.RpoService;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.QueryParam;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;

/** RPO exposure of every source now, and over time. */
@Path("/rpo")
public class RpoResource {

    private final RpoService rpo;

    public RpoResource(RpoService rpo) {
        this.rpo = rpo;
    }

    @GET
    @RolesAllowed({"viewer", "operator", "admin"})
    public List<RpoService.SourceRpo> current() {
        return rpo.current(Instant.now());
    }

    @GET
    @Path("timeline")
    @RolesAllowed({"viewer", "operator", "admin"})
    public RpoService.Timeline timeline(@QueryParam("source") String source, @QueryParam("from") String from,
                                        @QueryParam("to") String to) {
        if (source == null || source.isBlank()) {
            throw ApiException.badField("source", "is required");
        }
        Instant end = to == null ? Instant.now() : instant("to", to);
        Instant start = from == null ? end.minus(Duration.ofDays(7)) : instant("from", from);
        if (!start.isBefore(end)) {
            throw ApiException.badField("from", "must be before to");
        }
        RpoService.Timeline timeline = rpo.timeline(source, start, end);
        if (timeline == null) {
            throw ApiException.notFound("source '" + source + "' is unknown to the event log; GET /rpo lists the sources");
        }
        return timeline;
    }

    private static Instant instant(String field, String value) {
        try {
            return Instant.parse(value);
        } catch (DateTimeParseException e) {
            throw ApiException.badField(field, "must be an ISO-8601 instant such as 2026-11-25T02:00:00Z");
        }
    }
}

package io.lifeboat.drill.rest;

import io.lifeboat.http.ApiException;

import io.lifeboat.drill.calendar.CalendarService;
import io.lifeboat.drill.calendar.Drill;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.QueryParam;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;

/** The drill calendar of a year. */
@Path("/calendar")
public class CalendarResource {

    private final CalendarService calendar;

    public CalendarResource(CalendarService calendar) {
        this.calendar = calendar;
    }

    public record CalendarEntry(String drillId, int quarter, LocalDate date, Instant startsAt, Instant announceAt,
                                String scenario, String phase) {
    }

    @GET
    @RolesAllowed({"viewer", "operator", "admin"})
    public List<CalendarEntry> year(@QueryParam("year") String year) {
        int y = LocalDate.now(ZoneOffset.UTC).getYear();
        if (year != null && !year.isBlank()) {
            try {
                y = Integer.parseInt(year.trim());
            } catch (NumberFormatException e) {
                throw ApiException.badField("year", "must be a year such as 2027 (got '" + year + "')");
            }
            if (y < 2000 || y > 2999) {
                throw ApiException.badField("year", "must be between 2000 and 2999");
            }
        }
        return calendar.plan(y).stream().map(slot -> {
            Drill drill = Drill.findById(slot.drillId());
            return new CalendarEntry(slot.drillId(), slot.quarter(), slot.date(), slot.startsAt(), slot.announceAt(),
                    slot.scenario(), drill == null ? "Planned" : drill.phase);
        }).toList();
    }
}

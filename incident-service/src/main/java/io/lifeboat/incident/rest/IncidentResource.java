package io.lifeboat.incident.rest;

import io.lifeboat.http.ApiException;
import io.lifeboat.http.Actors;
import io.lifeboat.http.Paging;

import io.lifeboat.incident.incident.Incident;
import io.lifeboat.incident.incident.IncidentAction;
import io.lifeboat.incident.incident.IncidentNote;
import io.lifeboat.incident.incident.IncidentRequests;
import io.lifeboat.incident.incident.IncidentService;
import io.lifeboat.incident.report.IncidentReport;
import io.lifeboat.incident.report.IncidentReportService;
import io.lifeboat.incident.report.IncidentTimeline;
import io.lifeboat.incident.report.ReportRenderer;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Response;

import java.time.Instant;
import java.util.List;

/** Incidents: declare, move through the status machine, stop the RTO clock, notes, actions, post-mortem, report. */
@Path("/incidents")
public class IncidentResource {

    private final IncidentService incidents;
    private final IncidentReportService reports;
    private final IncidentTimeline timelines;
    private final SecurityIdentity identity;

    public IncidentResource(IncidentService incidents, IncidentReportService reports, IncidentTimeline timelines,
                            SecurityIdentity identity) {
        this.timelines = timelines;
        this.incidents = incidents;
        this.reports = reports;
        this.identity = identity;
    }

    public record IncidentView(String id, String title, String severity, String scenario, String status,
                               Instant impactStartedAt, Instant detectedAt, Instant declaredAt, Instant serviceRestoredAt,
                               Instant resolvedAt, Instant postmortemAt, List<String> sources, String declaredBy,
                               List<String> allowedNext) {
        static IncidentView of(Incident i) {
            return new IncidentView(i.id, i.title, i.severity.name(), i.scenario, i.status.name(), i.impactStartedAt,
                    i.detectedAt, i.declaredAt, i.serviceRestoredAt, i.resolvedAt, i.postmortemAt, i.sourceList(), i.declaredBy,
                    i.status.next().stream().map(Enum::name).toList());
        }
    }

    @POST
    @RolesAllowed({"operator", "admin"})
    public Response declare(@Valid @NotNull(message = "a JSON body is required") IncidentRequests.Declare request) {
        Incident i = incidents.declare(request, Actors.of(identity));
        return Response.status(201).header("Location", "/incidents/" + i.id).entity(IncidentView.of(i)).build();
    }

    @GET
    @RolesAllowed({"viewer", "operator", "admin"})
    public Paging.Page<IncidentView> list(@QueryParam("limit") @DefaultValue(Paging.DEFAULT_LIMIT) String limit,
                                          @QueryParam("cursor") String cursor) {
        int size = Paging.limit(limit);
        return Paging.page(incidents.list(Paging.cursor(cursor), size), size, i -> new Paging.Cursor(i.declaredAt, i.id),
                IncidentView::of);
    }

    @GET
    @Path("{id}")
    @RolesAllowed({"viewer", "operator", "admin"})
    public IncidentView get(@PathParam("id") String id) {
        return IncidentView.of(incidents.get(id));
    }

    @POST
    @Path("{id}/status")
    @RolesAllowed({"operator", "admin"})
    public IncidentView status(@PathParam("id") String id, @Valid @NotNull(message = "a JSON body is required") IncidentRequests.StatusChange request) {
        return IncidentView.of(incidents.changeStatus(id, request.status(), Actors.of(identity)));
    }

    @POST
    @Path("{id}/service-restored")
    @RolesAllowed({"operator", "admin"})
    public IncidentView serviceRestored(@PathParam("id") String id, IncidentRequests.At request) {
        return IncidentView.of(incidents.serviceRestored(id, request == null ? null : request.at(), Actors.of(identity)));
    }

    @POST
    @Path("{id}/notes")
    @RolesAllowed({"operator", "admin"})
    public Response note(@PathParam("id") String id, @Valid @NotNull(message = "a JSON body is required") IncidentRequests.Note request) {
        IncidentNote note = incidents.addNote(id, request.text(), Actors.of(identity));
        return Response.status(201).entity(java.util.Map.of("id", note.id, "addedAt", note.addedAt.toString())).build();
    }

    @POST
    @Path("{id}/actions")
    @RolesAllowed({"operator", "admin"})
    public Response action(@PathParam("id") String id, @Valid @NotNull(message = "a JSON body is required") IncidentRequests.Action request) {
        IncidentAction a = incidents.addAction(id, request, Actors.of(identity));
        return Response.status(201).entity(new IncidentReport.ActionItem(a.id, a.title, a.owner, a.dueDate, false)).build();
    }

    @POST
    @Path("{id}/actions/{actionId}/close")
    @RolesAllowed({"operator", "admin"})
    public IncidentReport.ActionItem close(@PathParam("id") String id, @PathParam("actionId") String actionId) {
        IncidentAction a = incidents.closeAction(id, actionId, Actors.of(identity));
        return new IncidentReport.ActionItem(a.id, a.title, a.owner, a.dueDate, true);
    }

    @POST
    @Path("{id}/postmortem")
    @RolesAllowed({"operator", "admin"})
    public Response postmortem(@PathParam("id") String id, @Valid @NotNull(message = "a JSON body is required") IncidentRequests.Postmortem request) {
        Incident i = incidents.schedulePostmortem(id, request.at(), Actors.of(identity));
        return Response.ok(java.util.Map.of("postmortemAt", i.postmortemAt.toString(), "within48Hours",
                IncidentService.within48Hours(i))).build();
    }

    @GET
    @Path("{id}/timeline")
    @RolesAllowed({"viewer", "operator", "admin"})
    public List<IncidentReport.TimelineEntry> timeline(@PathParam("id") String id) {
        return timelines.of(id);
    }

    /** Markdown, JSON or HTML by the Accept header (or ?format=md|json|html). */
    @GET
    @Path("{id}/report")
    @RolesAllowed({"viewer", "operator", "admin"})
    public Response report(@PathParam("id") String id, @HeaderParam("Accept") String accept, @QueryParam("format") String format) {
        IncidentReport report = reports.report(id);
        String wanted = format != null ? format.toLowerCase() : accept == null ? "md"
                : accept.contains("text/html") ? "html" : accept.contains("application/json") ? "json" : "md";
        return switch (wanted) {
            case "json" -> Response.ok(report, "application/json").build();
            case "html" -> Response.ok(ReportRenderer.html(report), "text/html; charset=utf-8").build();
            case "md", "markdown" -> Response.ok(ReportRenderer.markdown(report), "text/markdown; charset=utf-8").build();
            default -> throw ApiException.badField("format", "must be md, json or html");
        };
    }
}

package io.lifeboat.drill.rest;

import io.lifeboat.http.ApiException;
import io.lifeboat.http.Actors;
import io.lifeboat.http.Paging;

import io.lifeboat.drill.calendar.Drill;
import io.lifeboat.drill.run.DrillService;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Response;

import java.util.List;
import java.util.Map;

/** Drills: run one on demand, watch its steps against their budgets, confirm manual steps, debrief. */
@Path("/drills")
public class DrillResource {

    private final DrillService drills;
    private final SecurityIdentity identity;

    public DrillResource(DrillService drills, SecurityIdentity identity) {
        this.drills = drills;
        this.identity = identity;
    }

    @POST
    @RolesAllowed({"operator", "admin"})
    public Response start(@NotNull(message = "a JSON body is required") DrillService.StartRequest request) {
        Drill d = drills.start(request, Actors.of(identity));
        return Response.accepted(Map.of("id", d.id, "scenario", d.scenario, "phase", d.phase))
                .header("Location", "/drills/" + d.id).build();
    }

    @GET
    @RolesAllowed({"viewer", "operator", "admin"})
    public Paging.Page<Drill> list(@QueryParam("limit") @DefaultValue(Paging.DEFAULT_LIMIT) String limit,
                                   @QueryParam("cursor") String cursor) {
        int size = Paging.limit(limit);
        return Paging.page(drills.list(Paging.cursor(cursor), size), size,
                d -> new Paging.Cursor(d.startedAt != null ? d.startedAt : d.scheduledFor, d.id), d -> d);
    }

    @GET
    @Path("{id}")
    @RolesAllowed({"viewer", "operator", "admin"})
    public Drill get(@PathParam("id") String id) {
        return drills.get(id);
    }

    @POST
    @Path("{id}/steps/{step}/done")
    @RolesAllowed({"operator", "admin"})
    public Drill confirm(@PathParam("id") String id, @PathParam("step") String step) {
        return drills.confirmStep(id, step);
    }

    @POST
    @Path("{id}/debrief")
    @RolesAllowed({"operator", "admin"})
    public Drill debrief(@PathParam("id") String id, @NotNull(message = "a JSON body is required") DrillService.Debrief debrief) {
        return drills.debrief(id, debrief, Actors.of(identity));
    }
}

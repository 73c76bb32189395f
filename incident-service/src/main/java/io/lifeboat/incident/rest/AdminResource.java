package io.lifeboat.incident.rest;

import io.lifeboat.incident.projection.ProjectionService;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;

/** Administration of the projections. */
@Path("/admin/projections")
public class AdminResource {

    private final ProjectionService projections;

    public AdminResource(ProjectionService projections) {
        this.projections = projections;
    }

    /** Drops every projection and replays the whole event log into it. */
    @POST
    @Path("rebuild")
    @RolesAllowed("admin")
    public ProjectionService.RebuildResult rebuild() {
        return projections.rebuild();
    }
}

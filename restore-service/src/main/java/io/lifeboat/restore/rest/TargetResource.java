package io.lifeboat.restore.rest;

import io.lifeboat.restore.target.TargetRequest;
import io.lifeboat.restore.target.TargetService;
import io.lifeboat.restore.target.TargetView;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Response;

import java.util.List;

/** The registry of restore targets (admin-managed). */
@Path("/targets")
public class TargetResource {

    private final TargetService targets;

    public TargetResource(TargetService targets) {
        this.targets = targets;
    }

    @GET
    @RolesAllowed({"viewer", "operator", "admin"})
    public List<TargetView> list() {
        return targets.list().stream().map(TargetView::of).toList();
    }

    @GET
    @Path("{name}")
    @RolesAllowed({"viewer", "operator", "admin"})
    public TargetView get(@PathParam("name") String name) {
        return TargetView.of(targets.get(name));
    }

    @PUT
    @Path("{name}")
    @RolesAllowed("admin")
    public Response put(@PathParam("name") String name, @Valid @NotNull(message = "a JSON body is required") TargetRequest request) {
        boolean created = targets.put(name, request);
        return Response.status(created ? 201 : 200).entity(TargetView.of(targets.get(name))).build();
    }
}

package io.lifeboat.restore.rest;

import io.lifeboat.restore.target.SetAsideCopies;
import io.lifeboat.restore.target.TargetRequest;
import io.lifeboat.restore.target.TargetService;
import io.lifeboat.restore.target.TargetView;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Response;

import java.util.List;

/** The registry of restore targets (admin-managed), and the damaged data restores set aside beside them. */
@Path("/targets")
public class TargetResource {

    private final TargetService targets;
    private final SetAsideCopies setAside;

    public TargetResource(TargetService targets, SetAsideCopies setAside) {
        this.targets = targets;
        this.setAside = setAside;
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

    /** The copies replace restores moved aside ({@code _corrupted_}), newest first, with size and age. */
    @GET
    @Path("{name}/set-aside")
    @RolesAllowed({"viewer", "operator", "admin"})
    public List<SetAsideCopies.Copy> setAside(@PathParam("name") String name) {
        return setAside.list(targets.get(name));
    }

    /** Deletes one set-aside copy for good: an admin, naming it twice ({@code ?confirm=<copy>}). */
    @DELETE
    @Path("{name}/set-aside/{copy}")
    @RolesAllowed("admin")
    public Response deleteSetAside(@PathParam("name") String name, @PathParam("copy") String copy,
                                   @QueryParam("confirm") String confirm) {
        setAside.delete(targets.get(name), copy, confirm);
        return Response.noContent().build();
    }
}

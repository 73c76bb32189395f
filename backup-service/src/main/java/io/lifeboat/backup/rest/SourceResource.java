package io.lifeboat.backup.rest;

import io.lifeboat.backup.source.SourceRequest;
import io.lifeboat.backup.source.SourceService;
import io.lifeboat.backup.source.SourceView;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Response;

import java.util.List;

/** Backup sources: what to protect, when, and for how long to keep it. */
@Path("/sources")
public class SourceResource {

    private final SourceService sources;
    private final SecurityIdentity identity;

    public SourceResource(SourceService sources, SecurityIdentity identity) {
        this.sources = sources;
        this.identity = identity;
    }

    @GET
    @RolesAllowed({"viewer", "operator", "admin"})
    public List<SourceView> list() {
        return sources.list().stream().map(SourceView::of).toList();
    }

    @GET
    @Path("{name}")
    @RolesAllowed({"viewer", "operator", "admin"})
    public SourceView get(@PathParam("name") String name) {
        return SourceView.of(sources.get(name));
    }

    @PUT
    @Path("{name}")
    @RolesAllowed({"operator", "admin"})
    public Response put(@PathParam("name") String name, @Valid @NotNull(message = "a JSON body is required") SourceRequest request) {
        boolean created = sources.put(name, request, Actors.of(identity));
        return Response.status(created ? 201 : 200).entity(SourceView.of(sources.get(name))).build();
    }

    @DELETE
    @Path("{name}")
    @RolesAllowed("admin")
    public Response delete(@PathParam("name") String name) {
        sources.delete(name, Actors.of(identity));
        return Response.noContent().build();
    }
}

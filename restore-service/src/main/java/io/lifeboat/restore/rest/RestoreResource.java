package io.lifeboat.restore.rest;

import io.lifeboat.http.Actors;
import io.lifeboat.http.FinalPhaseWait;
import io.lifeboat.http.Paging;

import io.lifeboat.restore.restore.Restore;
import io.lifeboat.restore.restore.RestoreRequest;
import io.lifeboat.restore.restore.RestoreService;
import io.lifeboat.restore.restore.RestoreView;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Response;

import java.util.List;

/** Restores: one call does the runbook's identify, download, move aside, restore and verify. */
@Path("/restores")
public class RestoreResource {

    private final RestoreService restores;
    private final SecurityIdentity identity;

    public RestoreResource(RestoreService restores, SecurityIdentity identity) {
        this.restores = restores;
        this.identity = identity;
    }

    public record Accepted(String id, String source, String backupId, String target, String phase) {
    }

    @POST
    @RolesAllowed({"operator", "admin", "drill"})
    public Response start(@Valid @NotNull(message = "a JSON body is required") RestoreRequest request) {
        Restore r = restores.request(request, identity, Actors.of(identity));
        return Response.accepted(new Accepted(r.id, r.source, r.backupId, r.target, r.phase.name()))
                .header("Location", "/restores/" + r.id).build();
    }

    @GET
    @RolesAllowed({"viewer", "operator", "admin"})
    public Paging.Page<RestoreView> list(@QueryParam("limit") @DefaultValue(Paging.DEFAULT_LIMIT) String limit,
                                         @QueryParam("cursor") String cursor) {
        int size = Paging.limit(limit);
        List<Restore> items = restores.list(Paging.cursor(cursor), size);
        return Paging.page(items, size, r -> new Paging.Cursor(r.requestedAt, r.id), RestoreView::of);
    }

    @GET
    @Path("{id}")
    @RolesAllowed({"viewer", "operator", "admin"})
    public RestoreView get(@PathParam("id") String id, @QueryParam("waitSeconds") String waitSeconds) {
        return restores.view(id, FinalPhaseWait.seconds(waitSeconds));
    }
}

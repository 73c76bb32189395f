package io.lifeboat.backup.rest;

import io.lifeboat.http.Actors;

import io.lifeboat.backup.source.SourceRequest;
import io.lifeboat.backup.source.SourceService;
import io.lifeboat.backup.source.SourceView;
import io.quarkus.security.identity.SecurityIdentity;
import io.lifeboat.backup.backup.BackupService;
import io.lifeboat.backup.backup.BackupView;
import io.lifeboat.backup.wal.WalState;
import io.lifeboat.backup.wal.WalStreamView;
import io.lifeboat.http.ApiException;
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

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;

/** Backup sources: what to protect, when, and for how long to keep it. */
@Path("/sources")
public class SourceResource {

    private final SourceService sources;
    private final BackupService backups;
    private final SecurityIdentity identity;
    private final WalState walState;

    public SourceResource(SourceService sources, BackupService backups, SecurityIdentity identity, WalState walState) {
        this.sources = sources;
        this.backups = backups;
        this.identity = identity;
        this.walState = walState;
    }

    @GET
    @RolesAllowed({"viewer", "operator", "admin"})
    public List<SourceView> list() {
        boolean hooks = identity.hasRole("operator");
        return sources.list().stream().map(s -> SourceView.of(s, hooks)).toList();
    }

    @GET
    @Path("{name}")
    @RolesAllowed({"viewer", "operator", "admin"})
    public SourceView get(@PathParam("name") String name) {
        return SourceView.of(sources.get(name), identity.hasRole("operator"));
    }

    /**
     * The source's recovery point at an instant (default now): the newest backup completed and verified good by
     * then, which is what an incident at that instant would restore.
     */
    @GET
    @Path("{name}/recovery-point")
    @RolesAllowed({"viewer", "operator", "admin"})
    public BackupView recoveryPoint(@PathParam("name") String name, @QueryParam("at") String at) {
        Instant when;
        try {
            when = at == null || at.isBlank() ? Instant.now() : Instant.parse(at.trim());
        } catch (DateTimeParseException e) {
            throw ApiException.badField("at", "must be an ISO-8601 instant such as 2026-11-25T02:00:00Z");
        }
        return backups.newestVerified(name, when).map(BackupView::of).orElseThrow(() -> ApiException.notFound(
                "source '" + name + "' had no verified backup at " + when + ": a disaster then would have lost everything"));
    }

    /** The WAL stream of a continuous source: state, stored position, coverage, restorability. */
    @GET
    @Path("{name}/wal")
    @RolesAllowed({"viewer", "operator", "admin"})
    public WalStreamView wal(@PathParam("name") String name) {
        if (!sources.get(name).continuous) {
            throw ApiException.notFound("source '" + name + "' is not continuous: it has no WAL stream (PUT it with "
                    + "\"continuous\": true)");
        }
        return walState.get(name).map(WalStreamView::of).orElseGet(() -> new WalStreamView(name, "starting", null, null,
                null, null, null, null, null, null, null));
    }

    @PUT
    @Path("{name}")
    @RolesAllowed({"operator", "admin"})
    public Response put(@PathParam("name") String name, @Valid @NotNull(message = "a JSON body is required") SourceRequest request) {
        boolean created = sources.put(name, request, Actors.of(identity), identity.hasRole("admin"));
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

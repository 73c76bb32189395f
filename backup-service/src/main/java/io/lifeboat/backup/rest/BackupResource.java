package io.lifeboat.backup.rest;

import io.lifeboat.http.ApiException;
import io.lifeboat.http.FinalPhaseWait;
import io.lifeboat.http.Paging;
import io.lifeboat.http.Actors;

import io.lifeboat.backup.backup.Backup;
import io.lifeboat.backup.backup.BackupPhase;
import io.lifeboat.backup.backup.BackupService;
import io.lifeboat.backup.backup.BackupVerifier;
import io.lifeboat.backup.backup.BackupView;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Response;

import java.util.List;
import java.util.Locale;

/** Backups: start one, list them newest first (the runbook's `ls -lht | head`), read one, verify one. */
@Path("/backups")
public class BackupResource {

    private final BackupService backups;
    private final BackupVerifier verifier;
    private final SecurityIdentity identity;

    public BackupResource(BackupService backups, BackupVerifier verifier, SecurityIdentity identity) {
        this.backups = backups;
        this.verifier = verifier;
        this.identity = identity;
    }

    public record BackupRequest(@NotBlank(message = "is required: the name of a source") String source) {
    }

    public record Accepted(String id, String source, BackupPhase phase) {
    }

    @POST
    @RolesAllowed({"operator", "admin", "drill"})
    public Response start(@Valid @NotNull(message = "a JSON body is required") BackupRequest request) {
        Backup b = backups.request(request.source(), "manual", Actors.of(identity));
        return Response.accepted(new Accepted(b.id, b.source, b.phase)).header("Location", "/backups/" + b.id).build();
    }

    @GET
    @RolesAllowed({"viewer", "operator", "admin"})
    public Paging.Page<BackupView> list(@QueryParam("source") String source, @QueryParam("phase") String phase,
                     @QueryParam("limit") @DefaultValue(Paging.DEFAULT_LIMIT) String limit, @QueryParam("cursor") String cursor) {
        int size = Paging.limit(limit);
        BackupPhase wanted = null;
        if (phase != null && !phase.isBlank()) {
            wanted = java.util.Arrays.stream(BackupPhase.values())
                    .filter(p -> p.name().toLowerCase(Locale.ROOT).equals(phase.trim().toLowerCase(Locale.ROOT))).findFirst()
                    .orElseThrow(() -> ApiException.badField("phase", "must be one of New, InProgress, Completed, Failed"));
        }
        List<Backup> items = backups.list(blank(source), wanted, Paging.cursor(cursor), size);
        return Paging.page(items, size, b -> new Paging.Cursor(b.createdAt, b.id), BackupView::of);
    }

    @GET
    @Path("{id}")
    @RolesAllowed({"viewer", "operator", "admin"})
    public BackupView get(@PathParam("id") String id, @QueryParam("waitSeconds") String waitSeconds) {
        return backups.view(id, FinalPhaseWait.seconds(waitSeconds));
    }

    @POST
    @Path("{id}/verify")
    @RolesAllowed({"operator", "admin"})
    public BackupVerifier.Result verify(@PathParam("id") String id) {
        return verifier.verify(id, Actors.of(identity));
    }


    private static String blank(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}

package io.lifeboat.backup.rest;

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

    public record Page(List<BackupView> items, String nextCursor) {
    }

    @POST
    @RolesAllowed({"operator", "admin"})
    public Response start(@Valid @NotNull(message = "a JSON body is required") BackupRequest request) {
        Backup b = backups.request(request.source(), "manual", Actors.of(identity));
        return Response.accepted(new Accepted(b.id, b.source, b.phase)).header("Location", "/backups/" + b.id).build();
    }

    @GET
    @RolesAllowed({"viewer", "operator", "admin"})
    public Page list(@QueryParam("source") String source, @QueryParam("phase") String phase,
                     @QueryParam("limit") @DefaultValue("50") String limit, @QueryParam("cursor") String cursor) {
        int size = parseLimit(limit);
        BackupPhase wanted = null;
        if (phase != null && !phase.isBlank()) {
            wanted = java.util.Arrays.stream(BackupPhase.values())
                    .filter(p -> p.name().toLowerCase(Locale.ROOT).equals(phase.trim().toLowerCase(Locale.ROOT))).findFirst()
                    .orElseThrow(() -> ApiException.badField("phase", "must be one of New, InProgress, Completed, Failed"));
        }
        List<Backup> items = backups.list(blank(source), wanted, blank(cursor), size);
        String next = items.size() == size ? BackupService.cursorOf(items.get(size - 1)) : null;
        return new Page(items.stream().map(BackupView::of).toList(), next);
    }

    @GET
    @Path("{id}")
    @RolesAllowed({"viewer", "operator", "admin"})
    public BackupView get(@PathParam("id") String id) {
        return BackupView.of(backups.get(id));
    }

    @POST
    @Path("{id}/verify")
    @RolesAllowed({"operator", "admin"})
    public BackupVerifier.Result verify(@PathParam("id") String id) {
        return verifier.verify(id, Actors.of(identity));
    }

    static int parseLimit(String limit) {
        try {
            int value = Integer.parseInt(limit.trim());
            if (value >= 1 && value <= 1000) {
                return value;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw ApiException.badField("limit", "must be a whole number from 1 to 1000 (got '" + limit + "')");
    }

    private static String blank(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}

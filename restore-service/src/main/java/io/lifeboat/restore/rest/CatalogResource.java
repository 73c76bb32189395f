package io.lifeboat.restore.rest;

import io.lifeboat.events.storage.BackupManifest;
import io.lifeboat.restore.storage.BackupBucket;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;

/** Every restorable backup, read from the manifests in the bucket (no database, no Kafka history needed). */
@Path("/catalog")
public class CatalogResource {

    private final BackupBucket bucket;

    public CatalogResource(BackupBucket bucket) {
        this.bucket = bucket;
    }

    @GET
    @RolesAllowed({"viewer", "operator", "admin"})
    public List<BackupManifest> list(@QueryParam("source") String source, @QueryParam("before") String before,
                                     @QueryParam("limit") @DefaultValue("50") String limit) {
        int size = Limits.parse(limit);
        Instant cutoff = null;
        if (before != null && !before.isBlank()) {
            try {
                cutoff = Instant.parse(before.trim());
            } catch (DateTimeParseException e) {
                throw ApiException.badField("before", "must be an ISO-8601 instant such as 2026-11-25T02:00:00Z");
            }
        }
        Instant until = cutoff;
        return bucket.manifests(blank(source)).stream()
                .filter(m -> until == null || !m.recoveryPointAt().isAfter(until))
                .limit(size).toList();
    }

    @GET
    @Path("{source}/latest")
    @RolesAllowed({"viewer", "operator", "admin"})
    public BackupManifest latest(@PathParam("source") String source) {
        return bucket.manifests(source).stream().findFirst().orElseThrow(() -> ApiException.notFound(
                "no backup of '" + source + "' in bucket " + bucket.bucket() + "; GET /catalog lists what there is"));
    }

    private static String blank(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}

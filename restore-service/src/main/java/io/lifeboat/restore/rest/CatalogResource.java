package io.lifeboat.restore.rest;

import io.lifeboat.bucket.BackupBucket;
import io.lifeboat.bucket.UntrustedManifest;
import io.lifeboat.bucket.wal.RecoveryWindow;
import io.lifeboat.bucket.wal.WalArchive;
import io.lifeboat.events.storage.BackupManifest;
import io.lifeboat.http.ApiException;
import io.lifeboat.http.Paging;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Comparator;
import java.util.List;

/**
 * Every restorable backup, read from the manifests in the bucket (no database, no Kafka history needed), newest
 * recovery point first. Manifests this Lifeboat did not write (no valid MAC) are listed apart, as refused.
 */
@Path("/catalog")
public class CatalogResource {

    private static final Comparator<BackupManifest> NEWEST_FIRST = Comparator.comparing(BackupManifest::recoveryPointAt)
            .thenComparing(BackupManifest::backupId).reversed();

    private final BackupBucket bucket;
    private final WalArchive walArchive;

    public CatalogResource(BackupBucket bucket, WalArchive walArchive) {
        this.bucket = bucket;
        this.walArchive = walArchive;
    }

    /**
     * The recoverability window of a continuous source: the instants a point-in-time restore can reach, as ranges
     * ({@code ranges}: their union; {@code byBaseBackup}: each base backup's own), and the WAL gaps that end them.
     */
    public record Window(String source, Instant earliest, Instant latest, List<RecoveryWindow.Range> ranges,
                         List<RecoveryWindow.Range> byBaseBackup, List<RecoveryWindow.Gap> gaps) {
    }

    @GET
    @Path("{source}/window")
    @RolesAllowed({"viewer", "operator", "admin"})
    public Window window(@PathParam("source") String source) {
        List<BackupManifest> manifests = bucket.manifests(source);
        RecoveryWindow window = RecoveryWindow.compute(walArchive, source, manifests);
        if (window.isEmpty() && window.gaps().isEmpty() && manifests.stream().noneMatch(m -> m.physical() != null)) {
            throw ApiException.notFound("'" + source + "' has no base backup in bucket " + bucket.name()
                    + ": it is not a continuous source (PUT /sources/" + source + " with \"continuous\": true on backup-service)");
        }
        List<RecoveryWindow.Range> merged = window.merged();
        return new Window(source, merged.isEmpty() ? null : merged.get(0).from(), window.latest().orElse(null), merged,
                window.ranges(), window.gaps());
    }

    /** A manifest in the bucket that is refused, and why. */
    public record Refused(String key, String reason) {
    }

    public record CatalogPage(List<BackupManifest> items, String nextCursor, List<Refused> refused) {
    }

    @GET
    @RolesAllowed({"viewer", "operator", "admin"})
    public CatalogPage list(@QueryParam("source") String source, @QueryParam("before") String before,
                            @QueryParam("limit") @DefaultValue(Paging.DEFAULT_LIMIT) String limit,
                            @QueryParam("cursor") String cursor) {
        int size = Paging.limit(limit);
        Paging.Cursor after = Paging.cursor(cursor);
        Instant until = instant("before", before);
        BackupBucket.Catalog catalog = bucket.catalog(blank(source));
        List<BackupManifest> items = catalog.trusted().stream().sorted(NEWEST_FIRST)
                .filter(m -> until == null || !m.recoveryPointAt().isAfter(until))
                .filter(m -> after == null || m.recoveryPointAt().isBefore(after.at())
                        || m.recoveryPointAt().equals(after.at()) && m.backupId().compareTo(after.id()) < 0)
                .limit(size).toList();
        Paging.Page<BackupManifest> page = Paging.page(items, size, m -> new Paging.Cursor(m.recoveryPointAt(), m.backupId()),
                m -> m);
        return new CatalogPage(page.items(), page.nextCursor(), catalog.refused().stream()
                .map(r -> new Refused(r.key(), r.getMessage())).toList());
    }

    @GET
    @Path("{source}/latest")
    @RolesAllowed({"viewer", "operator", "admin"})
    public BackupManifest latest(@PathParam("source") String source) {
        return bucket.manifests(source).stream().findFirst().orElseThrow(() -> ApiException.notFound(
                "no backup of '" + source + "' in bucket " + bucket.name() + "; GET /catalog lists what there is"));
    }

    @GET
    @Path("{source}/backups/{backupId}")
    @RolesAllowed({"viewer", "operator", "admin"})
    public BackupManifest one(@PathParam("source") String source, @PathParam("backupId") String backupId) {
        BackupBucket.Catalog catalog = bucket.catalog(source);
        for (UntrustedManifest refused : catalog.refused()) {
            if (refused.key().contains("/" + backupId + "/")) {
                throw ApiException.conflict(refused.getMessage());
            }
        }
        return catalog.trusted().stream().filter(m -> m.backupId().equals(backupId)).findFirst().orElseThrow(() ->
                ApiException.notFound("backup '" + backupId + "' of '" + source + "' is not in bucket " + bucket.name()
                        + " (no manifest); GET /catalog?source=" + source + " lists what there is"));
    }

    private static Instant instant(String field, String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return Instant.parse(value.trim());
        } catch (DateTimeParseException e) {
            throw ApiException.badField(field, "must be an ISO-8601 instant such as 2026-11-25T02:00:00Z");
        }
    }

    private static String blank(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}

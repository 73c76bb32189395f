package io.lifeboat.restore.restore;

import com.fasterxml.jackson.databind.JsonNode;
import io.lifeboat.bucket.BackupBucket;
import io.lifeboat.bucket.UntrustedManifest;
import io.lifeboat.events.storage.BackupManifest;
import io.lifeboat.http.ApiException;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;

/** Picks the backup a restore asks for from the bucket's manifests (newest first). */
final class BackupSelection {
    private BackupSelection() {
    }

    static String describe(JsonNode selector) {
        if (selector == null || selector.isNull()) return "latest";
        return selector.isTextual() ? selector.asText() : "at " + selector.path("at").asText();
    }

    static BackupManifest choose(String source, JsonNode selector, BackupBucket.Catalog catalog, String bucket) {
        if (selector != null && selector.isTextual() && !selector.asText().equals("latest")) {
            String id = selector.asText();
            for (UntrustedManifest refused : catalog.refused()) {
                if (refused.key().contains("/" + id + "/")) {
                    throw ApiException.conflict(refused.getMessage());
                }
            }
        }
        return choose(source, selector, catalog.trusted(), bucket);
    }

    static BackupManifest choose(String source, JsonNode selector, List<BackupManifest> newestFirst, String bucket) {
        if (selector == null || selector.isNull() || selector.isTextual() && selector.asText().equals("latest")) {
            return newestFirst.stream().findFirst().orElseThrow(() -> ApiException.notFound(
                    "no backup of '" + source + "' in bucket " + bucket + "; take one first (POST /backups on backup-service)"));
        }
        if (selector.isTextual()) {
            String id = selector.asText();
            return newestFirst.stream().filter(m -> m.backupId().equals(id)).findFirst().orElseThrow(() -> ApiException.notFound(
                    "backup '" + id + "' of '" + source + "' is not in bucket " + bucket + " (no manifest); GET /catalog?source="
                            + source + " lists what there is"));
        }
        if (selector.isObject() && selector.has("at")) {
            Instant at = BackupSelection.at(selector);
            return newestFirst.stream().filter(m -> !m.recoveryPointAt().isAfter(at)).findFirst().orElseThrow(() -> {
                String earliest = newestFirst.isEmpty() ? "there are no backups of '" + source + "'"
                        : "the earliest recovery point of '" + source + "' is " + newestFirst.get(newestFirst.size() - 1).recoveryPointAt();
                return ApiException.notFound("no backup of '" + source + "' has a recovery point at or before " + at + "; " + earliest);
            });
        }
        throw ApiException.badField("backup", "must be \"latest\", a backup id, or {\"at\": \"<ISO instant>\"}");
    }

    /** The instant of a {@code {"at": ...}} selector. */
    static Instant at(JsonNode selector) {
        try {
            return Instant.parse(selector.get("at").asText());
        } catch (DateTimeParseException e) {
            throw ApiException.badField("backup.at", "must be an ISO-8601 instant such as 2026-11-25T02:00:00Z");
        }
    }
}

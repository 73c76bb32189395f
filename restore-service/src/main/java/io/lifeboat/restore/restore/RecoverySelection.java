package io.lifeboat.restore.restore;

import com.fasterxml.jackson.databind.JsonNode;
import io.lifeboat.bucket.BackupBucket;
import io.lifeboat.bucket.wal.RecoveryWindow;
import io.lifeboat.bucket.wal.WalArchive;
import io.lifeboat.events.storage.BackupManifest;
import io.lifeboat.http.ApiException;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Chooses what a restore of a continuous source recovers to. {@code {"at": instant}} is an exact point in time,
 * refused (400) when it is outside the recoverability window; {@code latest} is the newest stored WAL; the id of a
 * base backup is that backup's own consistency point. Empty for everything else (a dump is chosen as before).
 */
final class RecoverySelection {

    /** The base backup to start from, how far to recover, and the recovery point that gives. */
    record Choice(BackupManifest base, String recoveryTarget, Instant targetAt, Instant recoveryPoint) {
    }

    private RecoverySelection() {
    }

    static Optional<Choice> choose(String source, JsonNode selector, BackupBucket.Catalog catalog, WalArchive archive) {
        List<BackupManifest> newestFirst = catalog.trusted();
        if (selector != null && selector.isTextual() && !selector.asText().equals("latest")) {
            return newestFirst.stream().filter(m -> m.backupId().equals(selector.asText()) && m.physical() != null).findFirst()
                    .map(m -> new Choice(m, "immediate", null, m.recoveryPointAt()));
        }
        boolean continuous = !newestFirst.isEmpty() && newestFirst.get(0).physical() != null;
        if (!continuous) {
            return Optional.empty();
        }
        RecoveryWindow window = RecoveryWindow.compute(archive, source, newestFirst);
        if (selector == null || selector.isNull() || selector.isTextual()) {
            RecoveryWindow.Plan plan = window.plan(null).orElseThrow(() -> ApiException.conflict("'" + source
                    + "' has no restorable instant yet: it needs a verified base backup and the WAL after it in the bucket"
                    + gaps(window) + "; GET /catalog/" + source + "/window shows what there is"));
            return Optional.of(new Choice(plan.base(), "latest", null, plan.range().to()));
        }
        if (selector.isObject() && selector.has("at")) {
            Instant at = BackupSelection.at(selector);
            RecoveryWindow.Plan plan = window.plan(at).orElseThrow(() -> ApiException.badField("backup.at",
                    at + " is outside the recoverability window of '" + source + "': " + window.describe() + gaps(window)));
            return Optional.of(new Choice(plan.base(), "time", at, at));
        }
        throw ApiException.badField("backup", "must be \"latest\", a backup id, or {\"at\": \"<ISO instant>\"}");
    }

    private static String gaps(RecoveryWindow window) {
        if (window.gaps().isEmpty()) return "";
        return " (WAL missing from the bucket: " + String.join(", ", window.gaps().stream().map(RecoveryWindow.Gap::missing).toList()) + ")";
    }
}

package io.lifeboat.drill.run;

import io.lifeboat.events.storage.NewestTimestamp;

import java.time.Instant;
import java.util.Map;

/**
 * Per source: the backup the drill restores, its recovery point and the state it holds; and the RPO basis, the
 * newest verified backup when the drill started (what a real incident would have restored). Without a fresh
 * backup, both are the same backup. A continuous source is restored to an instant of the drill's start instead
 * ({@code pointInTime}: the state production had then, read in a snapshot, is what verify compares), and its RPO
 * basis is its restorable WAL.
 */
record Prepared(String source, String kind, String backupId, Instant recoveryPoint, long storedBytes,
                Map<String, Long> rowCounts, Map<String, NewestTimestamp> newestTimestamps, long files, long bytes,
                String database, String rpoBasisBackupId, Instant rpoBasisPoint, Instant pointInTime) {

    /** A continuous source is restored to the instant {@link #pointInTime()} (its production state then is compared). */
    boolean continuous() {
        return pointInTime != null;
    }

    /** What the RPO basis is, in words: a backup, or a continuous source's restorable WAL. */
    String basisDescription() {
        return continuous() ? "the restorable WAL of " + source + " (" + rpoBasisBackupId + ")"
                : "the newest verified backup of " + source + " (" + rpoBasisBackupId + ")";
    }
}

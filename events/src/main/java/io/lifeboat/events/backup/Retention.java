package io.lifeboat.events.backup;

import java.time.Duration;

/** How many backups a source keeps: the last N, daily and weekly generations, and/or a maximum age. */
public record Retention(Integer keepLast, Integer keepDaily, Integer keepWeekly, Duration maxAge) {
    public static Retention defaults() {
        return new Retention(null, 7, 4, null);
    }
}

package io.lifeboat.backup.source;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** A source's retention rules; a backup is kept while any rule keeps it. */
public record RetentionPolicy(Integer keepLast, Integer keepDaily, Integer keepWeekly, Duration maxAge) {

    public static RetentionPolicy of(Source s) {
        return new RetentionPolicy(s.keepLast, s.keepDaily, s.keepWeekly,
                s.maxAgeSeconds == null ? null : Duration.ofSeconds(s.maxAgeSeconds));
    }

    public static RetentionPolicy of(SourceRequest.RetentionRequest r) {
        return new RetentionPolicy(r.keepLast(), r.keepDaily(), r.keepWeekly(), r.maxAge());
    }

    /**
     * What {@code next} keeps less of than {@code current} (a rule lowered or removed), or empty when it keeps at
     * least as much: since any rule keeps a backup, lowering or removing one can delete backups.
     */
    public static Optional<String> reduction(RetentionPolicy current, RetentionPolicy next) {
        List<String> less = new ArrayList<>();
        lower("keepLast", current.keepLast(), next.keepLast(), less);
        lower("keepDaily", current.keepDaily(), next.keepDaily(), less);
        lower("keepWeekly", current.keepWeekly(), next.keepWeekly(), less);
        if (current.maxAge() != null && (next.maxAge() == null || next.maxAge().compareTo(current.maxAge()) < 0)) {
            less.add("maxAge " + current.maxAge() + " -> " + (next.maxAge() == null ? "none" : next.maxAge()));
        }
        return less.isEmpty() ? Optional.empty() : Optional.of(String.join(", ", less));
    }

    private static void lower(String name, Integer current, Integer next, List<String> less) {
        if (current != null && (next == null || next < current)) {
            less.add(name + " " + current + " -> " + (next == null ? "none" : next));
        }
    }
}

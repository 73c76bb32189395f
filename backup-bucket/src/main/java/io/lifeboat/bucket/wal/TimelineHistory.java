package io.lifeboat.bucket.wal;

import java.util.ArrayList;
import java.util.List;

/**
 * A timeline history file ({@code 00000002.history}): for each ancestor timeline, the WAL position where the
 * next one branched off. Recovery follows it to the newest timeline.
 */
public record TimelineHistory(int timeline, List<Branch> ancestors) {

    /** Timeline {@code timeline} ended at {@code switchLsn}, where its child begins. */
    public record Branch(int timeline, long switchLsn) {
    }

    public static TimelineHistory parse(int timeline, String content) {
        List<Branch> ancestors = new ArrayList<>();
        for (String line : content.split("\n")) {
            String trimmed = line.strip();
            if (trimmed.isEmpty() || trimmed.startsWith("#")) {
                continue;
            }
            String[] fields = trimmed.split("\\s+");
            if (fields.length >= 2) {
                ancestors.add(new Branch(Integer.parseInt(fields[0]), Lsn.parse(fields[1])));
            }
        }
        return new TimelineHistory(timeline, ancestors);
    }

    /** Where {@code tli} begins on the path to this history's timeline (0 for the first), or -1 if not on it. */
    public long beginOf(int tli) {
        if (tli == timeline) {
            return ancestors.isEmpty() ? 0 : ancestors.get(ancestors.size() - 1).switchLsn();
        }
        for (int i = 0; i < ancestors.size(); i++) {
            if (ancestors.get(i).timeline() == tli) {
                return i == 0 ? 0 : ancestors.get(i - 1).switchLsn();
            }
        }
        return -1;
    }

    /** Where {@code tli} ends on the path (Long.MAX_VALUE for this history's own timeline), or -1 if not on it. */
    public long endOf(int tli) {
        if (tli == timeline) {
            return Long.MAX_VALUE;
        }
        return ancestors.stream().filter(b -> b.timeline() == tli).mapToLong(Branch::switchLsn).findFirst().orElse(-1);
    }

    /** The timelines of the path, newest first. */
    public List<Integer> pathNewestFirst() {
        List<Integer> path = new ArrayList<>();
        path.add(timeline);
        for (int i = ancestors.size() - 1; i >= 0; i--) {
            path.add(ancestors.get(i).timeline());
        }
        return path;
    }

    /** The history of a source that never switched timeline. */
    public static TimelineHistory only(int timeline) {
        return new TimelineHistory(timeline, List.of());
    }
}

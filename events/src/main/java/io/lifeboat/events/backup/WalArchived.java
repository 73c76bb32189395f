package io.lifeboat.events.backup;

import io.lifeboat.events.EventPayload;
import java.time.Instant;

/**
 * WAL of a continuous source reached the bucket: up to {@code endLsn} in {@code segment} (the partial one when
 * {@code partial}), so every transaction committed before {@code coveredUntil} is stored. {@code restorableUntil} is
 * the same instant when a verified base backup and a gap-free chain make it reachable, else null: it is the
 * source's recovery point. Emitted at most every few seconds per source.
 */
public record WalArchived(String source, int timeline, String segment, String endLsn, Instant coveredUntil, Instant restorableUntil, boolean partial, Instant archivedAt) implements EventPayload {

    @Override
    public String subject() {
        return source;
    }
}

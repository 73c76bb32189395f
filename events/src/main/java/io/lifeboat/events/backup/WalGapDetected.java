package io.lifeboat.events.backup;

import io.lifeboat.events.EventPayload;
import java.time.Instant;

/**
 * WAL of a continuous source is missing ({@code missingSegment} on {@code timeline}): the slot was lost, or a
 * segment vanished from the bucket. Instants after the gap are unreachable until the next base backup; one is
 * started at once.
 */
public record WalGapDetected(String source, int timeline, String missingSegment, String detail, Instant detectedAt) implements EventPayload {

    @Override
    public String subject() {
        return source;
    }
}

package io.lifeboat.events.backup;

import io.lifeboat.events.EventPayload;
import java.time.Instant;

/**
 * The WAL stream of a continuous source changed state: {@code streaming} (this {@code instance} took it, from
 * {@code startLsn} on {@code timeline}), {@code failing} (it cannot stream or store; {@code detail} says why),
 * {@code stopped}.
 */
public record WalStreamChanged(String source, String state, String instance, int timeline, String startLsn, String detail, Instant at) implements EventPayload {

    @Override
    public String subject() {
        return source;
    }
}

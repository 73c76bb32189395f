package io.lifeboat.events.backup;

import io.lifeboat.events.EventPayload;
import java.time.Duration;

/** A backup source was created, changed or removed; incident-service learns every source and its RPO target here. */
public record SourceUpdated(String source, String kind, String schedule, Duration rpoTarget, Retention retention, boolean encryption, boolean removed) implements EventPayload {

    @Override
    public String subject() {
        return source;
    }
}

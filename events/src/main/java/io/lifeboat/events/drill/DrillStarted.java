package io.lifeboat.events.drill;

import io.lifeboat.events.EventPayload;
import java.time.Instant;
import java.util.List;

/** A drill began running. */
public record DrillStarted(String drillId, String scenario, List<String> sources, Instant startedAt) implements EventPayload {

    @Override
    public String subject() {
        return drillId;
    }
}

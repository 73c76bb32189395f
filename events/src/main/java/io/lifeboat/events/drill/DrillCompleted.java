package io.lifeboat.events.drill;

import io.lifeboat.events.EventPayload;
import java.time.Instant;
import java.util.List;

/** A drill finished with its verdict ({@code passed} or {@code failed}). */
public record DrillCompleted(String drillId, String scenario, String phase, String verdict, List<String> reasons, Double rtoSeconds, Double rpoSeconds, Double restoreBytesPerSecond, Instant startedAt, Instant completedAt) implements EventPayload {

    @Override
    public String subject() {
        return drillId;
    }
}

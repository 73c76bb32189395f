package io.lifeboat.drill.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.time.LocalTime;
import java.util.List;

/** The drill calendar ({@code lifeboat.drill.calendar.*}): the runbook's quarterly plan by default. */
@ConfigMapping(prefix = "lifeboat.drill.calendar")
public interface CalendarConfig {

    /** {@code MM-DD:scenario} per drill of a year. */
    @WithDefault("03-15:database-loss,06-15:vector-store-corruption,09-15:infrastructure-loss,12-15:combined")
    List<String> slots();

    /** Start time of calendar drills, UTC. */
    @WithDefault("10:00")
    LocalTime startTime();

    /** How long before its date a drill is announced. */
    @WithDefault("P7D")
    Duration announceAhead();
}

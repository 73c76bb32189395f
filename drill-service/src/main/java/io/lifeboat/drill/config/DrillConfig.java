package io.lifeboat.drill.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.time.LocalTime;
import java.util.List;

/** How drills run and when ({@code lifeboat.drill.*}). */
@ConfigMapping(prefix = "lifeboat.drill")
public interface DrillConfig {

    /** restore-service target for drill databases; must not be production. */
    @WithDefault("drill-pg")
    String postgresTarget();

    /** restore-service target whose folder is the drill workspace; must not be production. */
    @WithDefault("drill-workspace")
    String directoryTarget();

    /** How long one service call (a backup or a restore) may take. */
    @WithDefault("PT2H")
    Duration operationTimeout();

    /** How long to wait for an operator to confirm a manual step. */
    @WithDefault("PT4H")
    Duration manualStepTimeout();

    Calendar calendar();

    /** The drill calendar: the runbook's quarterly plan by default. */
    interface Calendar {
        /** {@code MM-DD:scenario} per drill of a year. */
        @WithDefault("03-15:database-loss,06-15:vector-store-corruption,09-15:infrastructure-loss,12-15:combined")
        List<String> slots();

        /** Start time of calendar drills, UTC. */
        @WithDefault("10:00")
        LocalTime startTime();

        /** How long before its date a drill is announced. */
        @WithDefault("P7D")
        Duration announceAhead();

        /** How often instances look for drills to announce or start (each is claimed once across instances). */
        @WithDefault("1m")
        String tick();
    }
}

package io.lifeboat.incident.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/** Targets and windows of the incident service ({@code lifeboat.incident.*}). */
@ConfigMapping(prefix = "lifeboat.incident")
public interface IncidentConfig {
    /** RTO target of incidents (the runbook: 4 hours). */
    @WithDefault("PT4H")
    Duration rtoTarget();

    /** RPO target of a source that never announced one (the runbook: 24 hours). */
    @WithDefault("PT24H")
    Duration defaultRpoTarget();

    /** How many recent restores and drills the RTO forecast averages. */
    @WithDefault("10")
    int forecastSamples();
}

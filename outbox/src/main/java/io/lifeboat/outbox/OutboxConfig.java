package io.lifeboat.outbox;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.Optional;

/** Settings of the outbox relay ({@code lifeboat.outbox.*}). */
@ConfigMapping(prefix = "lifeboat.outbox")
public interface OutboxConfig {

    /** CloudEvent {@code source} of this service's events; defaults to {@code /lifeboat/<application name>}. */
    Optional<String> source();

    /** How often the relay looks for unsent events (also read by the relay's @Scheduled). */
    @WithDefault("250ms")
    String pollInterval();

    /** How many unsent events one relay pass takes (and locks). */
    @WithDefault("200")
    int batchSize();

    /** How long to wait for the broker's acknowledgement of one event. */
    @WithDefault("15s")
    Duration sendTimeout();

    /** Sent events are deleted after this long. */
    @WithDefault("P7D")
    Duration keepSent();

    /** false stops the relay (events stay in the outbox). */
    @WithDefault("true")
    boolean relayEnabled();
}

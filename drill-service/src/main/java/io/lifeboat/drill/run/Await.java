package io.lifeboat.drill.run;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.function.Supplier;

/** Polls another service's long operation until its phase is final. */
final class Await {
    /**
     * The {@code waitSeconds} of each GET: backup- and restore-service answer as soon as the operation is final, so a
     * drill's step ends when the operation does, not at the next poll.
     */
    static final String SERVER_WAIT = "?waitSeconds=5";

    private Await() {
    }

    /** Polls at most every 250 ms, counting the time each GET waited. */
    static JsonNode finalPhase(Supplier<JsonNode> poll, Duration timeout, Set<String> finals) throws DrillFailure {
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            long started = System.nanoTime();
            JsonNode node = poll.get();
            if (finals.contains(node.path("phase").asText())) {
                return node;
            }
            sleep(Math.max(0, 250 - (System.nanoTime() - started) / 1_000_000));
        }
        throw new DrillFailure("operation did not finish within " + timeout);
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted");
        }
    }
}

package io.lifeboat.drill.run;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.function.Supplier;

/** Polls another service's long operation until its phase is final. */
final class Await {
    private Await() {
    }

    static JsonNode finalPhase(Supplier<JsonNode> poll, Duration timeout, Set<String> finals) throws DrillFailure {
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            JsonNode node = poll.get();
            if (finals.contains(node.path("phase").asText())) {
                return node;
            }
            sleep(250);
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

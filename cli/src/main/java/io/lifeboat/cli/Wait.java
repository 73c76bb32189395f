package io.lifeboat.cli;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.PrintStream;
import java.util.Set;
import java.util.function.Supplier;

/** Polls a long operation until its phase is final, showing progress. */
final class Wait {
    /** The {@code waitSeconds} of each GET of an operation that supports it: progress is shown once a second. */
    static final String SERVER_WAIT = "?waitSeconds=1";

    private Wait() {
    }

    /**
     * Polls with GETs that answer as soon as the operation is final or after {@link #SERVER_WAIT} (backups and
     * restores), so the end shows the moment it happens; a server that answers at once is polled once a second.
     */
    static JsonNode untilFinal(PrintStream out, boolean quiet, String what, Supplier<JsonNode> waitingPoll, Set<String> finals) {
        return poll(out, quiet, what, waitingPoll, finals, 1000);
    }

    /** Polls an operation whose GET answers at once, pausing between polls. */
    static JsonNode until(PrintStream out, boolean quiet, String what, Supplier<JsonNode> poll, Set<String> finals) {
        return poll(out, quiet, what, poll, finals, System.console() != null ? 300 : 1000);
    }

    /** Polls at most once every {@code intervalMillis}, counting the time the GET itself took. */
    private static JsonNode poll(PrintStream out, boolean quiet, String what, Supplier<JsonNode> poll, Set<String> finals,
                                 long intervalMillis) {
        while (true) {
            long started = System.nanoTime();
            JsonNode node = poll.get();
            String phase = node.path("phase").asText();
            if (finals.contains(phase)) {
                if (!quiet && System.console() != null) out.println();
                return node;
            }
            if (!quiet) Out.progress(out, what, node.get("progress"), phase);
            long pause = intervalMillis - (System.nanoTime() - started) / 1_000_000;
            try {
                Thread.sleep(Math.max(0, pause));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new Api.Failure(0, "interrupted");
            }
        }
    }
}

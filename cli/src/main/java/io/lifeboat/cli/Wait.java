package io.lifeboat.cli;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.PrintStream;
import java.util.Set;
import java.util.function.Supplier;

/** Polls a long operation until its phase is final, showing progress. */
final class Wait {
    private Wait() {
    }

    static JsonNode until(PrintStream out, boolean quiet, String what, Supplier<JsonNode> poll, Set<String> finals) {
        while (true) {
            JsonNode node = poll.get();
            String phase = node.path("phase").asText();
            if (finals.contains(phase)) {
                if (!quiet && System.console() != null) out.println();
                return node;
            }
            if (!quiet) Out.progress(out, what, node.get("progress"), phase);
            try {
                Thread.sleep(System.console() != null ? 300 : 1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new Api.Failure(0, "interrupted");
            }
        }
    }
}

package io.lifeboat.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

import java.util.concurrent.Callable;

/** `lifeboat window SOURCE`: the instants a continuous source can be restored to, and the gaps that end them. */
@Command(name = "window", description = "The recoverability window of a continuous source: first and last restorable instant.")
public final class WindowCommand implements Callable<Integer> {

    @Mixin
    CliOptions options;

    @Parameters(index = "0", description = "a continuous source, e.g. analytics-db")
    String source;

    @Override
    public Integer call() {
        JsonNode window = options.api().get("restore-service", "/catalog/" + source + "/window");
        if (options.json()) {
            Out.json(System.out, window);
            return 0;
        }
        if (window.path("ranges").isEmpty()) {
            System.out.println(source + ": nothing restorable yet (a verified base backup and the WAL after it are needed)");
        } else {
            System.out.println(source + ": restorable from " + window.path("earliest").asText() + " to " + window.path("latest").asText());
            Out.table(System.out, window.path("ranges"), new String[]{"FROM", "TO"}, new String[]{"from", "to"});
        }
        window.path("gaps").forEach(g -> System.out.println("  gap: WAL segment " + g.path("missing").asText()
                + " is missing from the bucket: " + g.path("detail").asText()));
        return window.path("gaps").isEmpty() ? 0 : 1;
    }
}

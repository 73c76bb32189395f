package io.lifeboat.cli;

import picocli.CommandLine.Option;

import java.util.Map;

/** Options every operator command takes. */
public final class CliOptions {
    /** Where the token and the service addresses come from; tests replace it. */
    static Map<String, String> environment = System.getenv();

    @Option(names = "--token", description = "bearer token (default: $LIFEBOAT_TOKEN)")
    String token;

    @Option(names = {"-o", "--output"}, description = "text (default) or json", defaultValue = "text")
    String output;

    boolean json() {
        return "json".equalsIgnoreCase(output);
    }

    Api api() {
        return new Api(token, environment);
    }
}

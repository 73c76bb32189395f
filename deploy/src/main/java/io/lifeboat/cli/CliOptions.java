package io.lifeboat.cli;

import picocli.CommandLine.Option;

/** Options every operator command takes. */
public final class CliOptions {
    @Option(names = "--token", description = "bearer token (default: $LIFEBOAT_TOKEN, else one from the local stack's key)")
    String token;

    @Option(names = {"-o", "--output"}, description = "text (default) or json", defaultValue = "text")
    String output;

    boolean json() {
        return "json".equalsIgnoreCase(output);
    }

    Api api() {
        return new Api(token);
    }
}

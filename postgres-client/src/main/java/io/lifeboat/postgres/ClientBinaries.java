package io.lifeboat.postgres;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Where the PostgreSQL programs are: a configured folder, else {@code $LIFEBOAT_PG_BIN}, else the newest Debian
 * {@code /usr/lib/postgresql/N/bin}, else a folder on {@code PATH}. The newest matters: {@code pg_dump} refuses a
 * server newer than itself.
 */
public final class ClientBinaries {

    private static final Path DEBIAN = Path.of("/usr/lib/postgresql");

    private ClientBinaries() {
    }

    /** The folder holding {@code program}; empty when none is found. */
    public static Optional<Path> directory(Optional<String> configured, String program) {
        if (configured.isPresent() && !configured.get().isBlank()) {
            return Optional.of(Path.of(configured.get()));
        }
        String fromEnv = System.getenv("LIFEBOAT_PG_BIN");
        if (fromEnv != null && !fromEnv.isBlank()) {
            return Optional.of(Path.of(fromEnv));
        }
        if (Files.isDirectory(DEBIAN)) {
            try (Stream<Path> versions = Files.list(DEBIAN)) {
                Optional<Path> newest = versions.map(v -> v.resolve("bin"))
                        .filter(bin -> Files.isExecutable(bin.resolve(program)))
                        .max(Comparator.comparingInt(ClientBinaries::majorVersion));
                if (newest.isPresent()) {
                    return newest;
                }
            } catch (IOException ignored) {
                // fall through to PATH
            }
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) {
                return Optional.of(Path.of(dir));
            }
        }
        return Optional.empty();
    }

    /** The path of {@code program}, or its bare name (found on PATH at run time) when no folder holds it. */
    public static String program(Optional<String> configuredDirectory, String program) {
        return directory(configuredDirectory, program).map(dir -> dir.resolve(program).toString()).orElse(program);
    }

    /** 15 for {@code /usr/lib/postgresql/15/bin}; -1 when the folder is not named by a version. */
    static int majorVersion(Path bin) {
        try {
            return Integer.parseInt(bin.getParent().getFileName().toString());
        } catch (RuntimeException e) {
            return -1;
        }
    }
}

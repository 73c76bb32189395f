package io.lifeboat.restore.restore;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Resolves a target's password reference ({@code env:NAME} or {@code file:/path}); never stored or logged. */
final class Secrets {
    private Secrets() {
    }

    static String resolve(String ref) throws RestoreFailure {
        if (ref != null && ref.startsWith("env:")) {
            String value = System.getenv(ref.substring(4));
            if (value != null) return value;
            throw new RestoreFailure("connect", "password reference " + ref + " is not set in restore-service's environment");
        }
        if (ref != null && ref.startsWith("file:")) {
            try {
                return Files.readString(Path.of(ref.substring(5))).strip();
            } catch (IOException e) {
                throw new RestoreFailure("connect", "password reference " + ref + " cannot be read: " + e.getMessage());
            }
        }
        throw new RestoreFailure("connect", "the target has no usable passwordRef");
    }
}

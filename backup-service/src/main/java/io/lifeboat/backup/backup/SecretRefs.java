package io.lifeboat.backup.backup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Resolves a secret reference ({@code env:NAME} or {@code file:/path}); the value is never stored or logged. */
final class SecretRefs {
    private SecretRefs() {
    }

    static String resolve(String ref) throws BackupFailure {
        if (ref == null) {
            throw new BackupFailure("snapshot", "the source has no passwordRef");
        }
        if (ref.startsWith("env:")) {
            String value = System.getenv(ref.substring(4));
            if (value == null) {
                throw new BackupFailure("snapshot", "password reference " + ref + " is not set in backup-service's environment");
            }
            return value;
        }
        if (ref.startsWith("file:")) {
            try {
                return Files.readString(Path.of(ref.substring(5))).strip();
            } catch (IOException e) {
                throw new BackupFailure("snapshot", "password reference " + ref + " cannot be read: " + e.getMessage());
            }
        }
        throw new BackupFailure("snapshot", "unsupported password reference " + ref);
    }
}

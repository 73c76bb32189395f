package io.lifeboat.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Password files for the protected systems of a test, in the secrets folder the services under test may read
 * ({@code %test.lifeboat.secrets.folder=target/test-secrets}); a reference outside it is refused.
 */
public final class TestSecrets {

    public static final Path FOLDER = Path.of("target", "test-secrets").toAbsolutePath();

    private TestSecrets() {
    }

    /** Writes {@code value} to {@code FOLDER/name} and returns the file's absolute path. */
    public static Path file(String name, String value) {
        try {
            Files.createDirectories(FOLDER);
            Path file = FOLDER.resolve(name);
            Files.writeString(file, value);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

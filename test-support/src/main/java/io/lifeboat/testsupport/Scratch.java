package io.lifeboat.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Scratch folders and files of a test JVM, all under one temporary root that is deleted when the JVM exits: the
 * test data (hundreds of MiB per run for the large-directory tests) does not pile up in /tmp run after run.
 */
public final class Scratch {

    private static Path root;

    private Scratch() {
    }

    /** A new, empty folder named {@code prefix...}, deleted with the others when the JVM exits. */
    public static Path directory(String prefix) throws IOException {
        return Files.createTempDirectory(root(), prefix);
    }

    /** A new, empty file named {@code prefix...suffix}, deleted with the others when the JVM exits. */
    public static Path file(String prefix, String suffix) throws IOException {
        return Files.createTempFile(root(), prefix, suffix);
    }

    private static synchronized Path root() throws IOException {
        if (root == null) {
            root = Files.createTempDirectory("lifeboat-scratch-");
            // a PostgreSQL server run as another OS user must reach the folders it is given, as under /tmp itself
            Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
            Path created = root;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteAll(created), "lifeboat-scratch-delete"));
        }
        return root;
    }

    private static void deleteAll(Path folder) {
        try (Stream<Path> walk = Files.walk(folder)) {
            walk.filter(Files::isDirectory).forEach(p -> p.toFile().setWritable(true)); // a test may leave one read-only
        } catch (IOException | UncheckedIOException ignored) {
            // what cannot be walked is not deleted either
        }
        try (Stream<Path> walk = Files.walk(folder)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException ignored) {
            // best effort: what is left is in the OS's temporary folder
        }
    }
}

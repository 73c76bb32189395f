package io.lifeboat.backup.wal;

import io.lifeboat.backup.config.BackupConfig;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The local folder where completed WAL segments wait until the bucket holds them: {@code <root>/<source>/<systemId>/}.
 * A stream stores and deletes its segments; what is left when a source stops being continuous is its folders, and
 * segments only when the bucket could not take them. Empty folders go; a segment never does: it is WAL no bucket
 * holds and, once the slot is dropped, no server keeps either. It is told instead, with where it lies.
 */
final class WalSpool {

    private static final Logger LOG = Logger.getLogger(WalSpool.class);

    private final Path root;

    WalSpool(BackupConfig config) {
        this(Path.of(config.wal().spoolDir().orElse(System.getProperty("java.io.tmpdir"))).resolve("lifeboat-wal-spool"));
    }

    WalSpool(Path root) {
        this.root = root;
    }

    /** A stream's folder, created when missing: a spooled segment is taken over only by a stream of the same cluster. */
    Path folder(String source, String systemId) throws IOException {
        Path dir = root.resolve(source).resolve(systemId);
        Files.createDirectories(dir);
        return dir;
    }

    /** After a source's stream stopped here for good: its folders go when empty. */
    void retire(String source) {
        tidy(root.resolve(source), Instant.MAX);
    }

    /**
     * The folders of sources not in {@code continuous} (deleted, or no longer continuous, while this process was
     * down or by another instance) go when empty and untouched for {@code idle}; a stream another instance starts
     * for a source made continuous after {@code continuous} was read creates its folder just now, and keeps it.
     */
    void sweep(Set<String> continuous, Duration idle) {
        if (!Files.isDirectory(root)) {
            return;
        }
        Instant before = Instant.now().minus(idle);
        try (Stream<Path> sources = Files.list(root)) {
            for (Path dir : sources.filter(Files::isDirectory).toList()) {
                if (!continuous.contains(dir.getFileName().toString())) {
                    tidy(dir, before);
                }
            }
        } catch (IOException | UncheckedIOException e) {
            LOG.debugf("cannot list the WAL spool %s: %s", root, e.getMessage());
        }
    }

    /** Removes the empty cluster folders under a source's folder, then the source's, each if unchanged since {@code before}. */
    private void tidy(Path sourceDir, Instant before) {
        try (Stream<Path> clusters = Files.list(sourceDir)) {
            boolean sourceIdle = idleSince(sourceDir, before); // read first: removing a cluster folder touches it
            for (Path cluster : clusters.toList()) {
                List<Path> left;
                try (Stream<Path> files = Files.list(cluster)) {
                    left = files.toList();
                }
                if (left.isEmpty()) {
                    if (idleSince(cluster, before)) {
                        remove(cluster);
                    }
                } else {
                    LOG.warnf("WAL spool %s holds %d segment(s) no bucket has (%s ...), and its source is no longer "
                            + "continuous: they are kept. Making the source continuous again stores them (a stream of the "
                            + "same cluster takes them over); delete them once no point-in-time restore needs them",
                            cluster, left.size(), left.get(0).getFileName());
                }
            }
            if (sourceIdle) {
                remove(sourceDir);
            }
        } catch (NoSuchFileException e) {
            // nothing was spooled for it
        } catch (IOException | UncheckedIOException e) {
            LOG.debugf("cannot tidy the WAL spool %s: %s", sourceDir, e.getMessage());
        }
    }

    private static boolean idleSince(Path dir, Instant before) throws IOException {
        return Files.getLastModifiedTime(dir).toInstant().isBefore(before);
    }

    private static void remove(Path dir) throws IOException {
        try {
            Files.delete(dir);
        } catch (DirectoryNotEmptyException | NoSuchFileException e) {
            // a stream started there meanwhile, or another instance tidied it first
        }
    }
}

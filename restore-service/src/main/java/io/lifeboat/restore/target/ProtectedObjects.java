package io.lifeboat.restore.target;

import io.lifeboat.bucket.BackupBucket;
import io.lifeboat.events.storage.BackupManifest;
import io.lifeboat.postgres.Hosts;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a non-production target may never touch: a production target's database or folder, and a backup source's
 * (as its manifests in the bucket name it). A drill or a test restore is then contained, whatever target it is
 * pointed at and whatever name it asks for.
 */
@ApplicationScoped
public class ProtectedObjects {

    private final BackupBucket bucket;

    public ProtectedObjects(BackupBucket bucket) {
        this.bucket = bucket;
    }

    /**
     * The production object that database {@code database} on host:port is, if any ("production target 'x' ...").
     * {@code exceptTarget} is left out: an admin re-declaring a production target as non-production is not
     * refused by the target's own earlier declaration.
     */
    public Optional<String> database(String host, int port, String database, String exceptTarget) {
        List<Target> production = QuarkusTransaction.requiringNew().call(() -> Target.<Target>list(
                "production = true AND kind = ?1", TargetKind.postgres));
        for (Target t : production) {
            if (t.name.equals(exceptTarget)) continue;
            if (t.port != null && t.port == port && Objects.equals(t.database, database) && Hosts.sameServer(t.host, host)) {
                return Optional.of("production target '" + t.name + "' (database " + database + " on " + t.host + ":" + t.port + ")");
            }
        }
        for (BackupManifest m : bucket.manifests(null)) {
            if ("postgres".equals(m.kind()) && m.port() != null && m.port() == port && Objects.equals(m.database(), database)
                    && Hosts.sameServer(m.host(), host)) {
                return Optional.of("backup source '" + m.source() + "' (database " + database + " on " + m.host() + ":" + m.port() + ")");
            }
        }
        return Optional.empty();
    }

    /** The production folder {@code path} is, lies in or contains, if any ({@code exceptTarget} left out). */
    public Optional<String> folder(Path path, String exceptTarget) {
        Path p = path.toAbsolutePath().normalize();
        List<Target> production = QuarkusTransaction.requiringNew().call(() -> Target.<Target>list(
                "production = true AND kind = ?1", TargetKind.directory));
        for (Target t : production) {
            if (t.name.equals(exceptTarget)) continue;
            if (overlaps(p, Path.of(t.path))) {
                return Optional.of("production target '" + t.name + "' (folder " + t.path + ")");
            }
        }
        for (BackupManifest m : bucket.manifests(null)) {
            if ("directory".equals(m.kind()) && m.path() != null && overlaps(p, Path.of(m.path()))) {
                return Optional.of("backup source '" + m.source() + "' (folder " + m.path() + ")");
            }
        }
        return Optional.empty();
    }

    private static boolean overlaps(Path a, Path b) {
        Path other = b.toAbsolutePath().normalize();
        return a.startsWith(other) || other.startsWith(a);
    }
}

package io.lifeboat.restore.health;

import io.lifeboat.bucket.BackupBucket;
import io.lifeboat.events.storage.BackupManifest;
import io.lifeboat.restore.storage.Decryption;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import java.util.Set;
import java.util.TreeSet;

/**
 * Not ready while the bucket holds backups encrypted with a key this service cannot decrypt with: after an
 * infrastructure loss that is the escrowed keyset not yet put back, and it must show before anyone needs a restore.
 */
@Readiness
@ApplicationScoped
public class DecryptionKeysReadinessCheck implements HealthCheck {

    private final BackupBucket bucket;
    private final Decryption decryption;

    public DecryptionKeysReadinessCheck(BackupBucket bucket, Decryption decryption) {
        this.bucket = bucket;
        this.decryption = decryption;
    }

    @Override
    public HealthCheckResponse call() {
        Set<String> missing = new TreeSet<>();
        try {
            for (BackupManifest m : bucket.manifests(null)) {
                if (m.encryption() != null) {
                    missing.add(m.encryption().keyId());
                }
            }
        } catch (RuntimeException e) {
            // the bucket's own readiness check reports an unreachable bucket
            return HealthCheckResponse.named("backup decryption keys").up().build();
        }
        missing.removeAll(decryption.keyIds());
        var response = HealthCheckResponse.named("backup decryption keys").status(missing.isEmpty());
        if (!missing.isEmpty()) {
            response.withData("missing", "backups in the bucket are encrypted with key " + String.join(", ", missing)
                    + ", which the keyset does not hold: put the escrowed keyset back (docs/runbook.md, scenario 3)");
        }
        return response.build();
    }
}

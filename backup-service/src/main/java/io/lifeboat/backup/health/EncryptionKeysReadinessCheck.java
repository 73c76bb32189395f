package io.lifeboat.backup.health;

import io.lifeboat.backup.backup.Backup;
import io.lifeboat.backup.backup.BackupPhase;
import io.lifeboat.backup.crypto.BackupEncryption;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Not ready when backups exist that were encrypted with a key the keyset does not hold: they could not be
 * restored, and a keyset that was silently replaced must be noticed before anyone relies on those backups.
 */
@Readiness
@ApplicationScoped
public class EncryptionKeysReadinessCheck implements HealthCheck {

    private final BackupEncryption encryption;

    public EncryptionKeysReadinessCheck(BackupEncryption encryption) {
        this.encryption = encryption;
    }

    @Override
    public HealthCheckResponse call() {
        List<String> used = QuarkusTransaction.requiringNew().call(() -> Backup.getEntityManager().createQuery(
                "SELECT DISTINCT b.encryptionKeyId FROM Backup b WHERE b.phase = :phase AND b.expiredAt IS NULL "
                        + "AND b.encryptionKeyId IS NOT NULL", String.class)
                .setParameter("phase", BackupPhase.Completed).getResultList());
        Set<String> missing = new TreeSet<>(used);
        missing.removeAll(encryption.keyIds());
        var response = HealthCheckResponse.named("backup encryption keys").status(missing.isEmpty());
        if (!missing.isEmpty()) {
            response.withData("missing", "encrypted backups exist under key " + String.join(", ", missing)
                    + ", which the keyset does not hold: put the escrowed keyset back (docs/runbook.md, scenario 3)");
        }
        return response.build();
    }
}

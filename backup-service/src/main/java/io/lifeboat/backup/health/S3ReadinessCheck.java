package io.lifeboat.backup.health;

import io.lifeboat.backup.storage.ObjectStore;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready only when the backup bucket answers (backups would fail otherwise). */
@Readiness
@ApplicationScoped
public class S3ReadinessCheck implements HealthCheck {

    private final ObjectStore store;

    public S3ReadinessCheck(ObjectStore store) {
        this.store = store;
    }

    @Override
    public HealthCheckResponse call() {
        boolean up = store.reachable();
        return HealthCheckResponse.named("S3 bucket " + store.bucket()).status(up).build();
    }
}

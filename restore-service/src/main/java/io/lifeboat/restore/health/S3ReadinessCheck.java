package io.lifeboat.restore.health;

import io.lifeboat.restore.storage.BackupBucket;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready only when the backup bucket answers (restores would fail otherwise). */
@Readiness
@ApplicationScoped
public class S3ReadinessCheck implements HealthCheck {

    private final BackupBucket store;

    public S3ReadinessCheck(BackupBucket store) {
        this.store = store;
    }

    @Override
    public HealthCheckResponse call() {
        boolean up = store.reachable();
        return HealthCheckResponse.named("S3 bucket " + store.bucket()).status(up).build();
    }
}

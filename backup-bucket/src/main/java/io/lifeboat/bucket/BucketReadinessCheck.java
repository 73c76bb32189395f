package io.lifeboat.bucket;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready only when the backup bucket answers: backups and restores would fail otherwise. */
@Readiness
@ApplicationScoped
public class BucketReadinessCheck implements HealthCheck {

    private final BackupBucket bucket;

    public BucketReadinessCheck(BackupBucket bucket) {
        this.bucket = bucket;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("S3 bucket " + bucket.name()).status(bucket.reachable()).build();
    }
}

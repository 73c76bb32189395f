package io.lifeboat.backup.storage;

import io.lifeboat.backup.config.BackupConfig;
import io.lifeboat.bucket.BackupBucket;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;
import software.amazon.awssdk.services.s3.model.AbortMultipartUploadRequest;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/** Streamed multipart uploads into the backup bucket, parts sent in parallel by one shared pool. */
@ApplicationScoped
public class BackupUploads {

    private static final Logger LOG = Logger.getLogger(BackupUploads.class);

    private final BackupBucket bucket;
    private final BackupConfig config;
    private final ExecutorService parts;

    public BackupUploads(BackupBucket bucket, BackupConfig config) {
        this.bucket = bucket;
        this.config = config;
        AtomicInteger n = new AtomicInteger();
        this.parts = Executors.newFixedThreadPool(Math.max(2, config.uploadConcurrency() * config.maxParallel()), r -> {
            Thread t = new Thread(r, "s3-part-upload-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    void onStart(@Observes StartupEvent event) {
        try {
            bucket.ensureExists();
        } catch (RuntimeException e) {
            LOG.warnf("bucket %s not reachable at start (%s); readiness reports it", bucket.name(), e.getMessage());
        }
    }

    void onStop(@Observes ShutdownEvent event) {
        parts.shutdownNow();
    }

    /** Starts a multipart upload of {@code key}; the bucket is created first if it is missing. */
    public MultipartUploadStream start(String key) {
        bucket.ensureExists();
        return new MultipartUploadStream(bucket.client(), bucket.name(), key, config.partSizeMib() * 1024 * 1024,
                config.uploadConcurrency(), parts);
    }

    public void abort(String key, String uploadId) {
        bucket.client().abortMultipartUpload(AbortMultipartUploadRequest.builder().bucket(bucket.name()).key(key)
                .uploadId(uploadId).build());
    }
}

package io.lifeboat.backup.storage;

import io.lifeboat.backup.config.BackupConfig;
import io.lifeboat.backup.config.S3Config;
import io.lifeboat.events.EventCodec;
import io.lifeboat.events.storage.BackupManifest;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.AbortMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.BucketAlreadyOwnedByYouException;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

import java.io.InputStream;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/** The backup bucket: layout {@code <prefix>/<source>/<yyyy>/<mm>/<dd>/<backupId>/{data,manifest.json}}. */
@ApplicationScoped
public class ObjectStore {

    private static final Logger LOG = Logger.getLogger(ObjectStore.class);
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyy/MM/dd").withZone(ZoneOffset.UTC);

    private final S3Client s3;
    private final S3Config config;
    private final BackupConfig backupConfig;
    private final ExecutorService uploads;

    public ObjectStore(S3Client s3, S3Config config, BackupConfig backupConfig) {
        this.s3 = s3;
        this.config = config;
        this.backupConfig = backupConfig;
        AtomicInteger n = new AtomicInteger();
        this.uploads = Executors.newFixedThreadPool(Math.max(2, backupConfig.uploadConcurrency() * backupConfig.maxParallel()),
                r -> {
                    Thread t = new Thread(r, "s3-part-upload-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
    }

    void onStart(@Observes StartupEvent event) {
        try {
            ensureBucket();
        } catch (RuntimeException e) {
            LOG.warnf("bucket %s not reachable at start (%s); readiness reports it", config.bucket(), e.getMessage());
        }
    }

    void onStop(@Observes ShutdownEvent event) {
        uploads.shutdownNow();
    }

    public String bucket() {
        return config.bucket();
    }

    /** Creates the bucket when it is missing. */
    public void ensureBucket() {
        try {
            s3.headBucket(b -> b.bucket(config.bucket()));
        } catch (S3Exception e) {
            if (e.statusCode() != 404) {
                throw e;
            }
            try {
                s3.createBucket(b -> b.bucket(config.bucket()));
                LOG.infof("created bucket %s", config.bucket());
            } catch (BucketAlreadyOwnedByYouException ignored) {
                // another instance won the race
            }
        }
    }

    /** True when the bucket answers. */
    public boolean reachable() {
        try {
            s3.headBucket(b -> b.bucket(config.bucket()));
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    public String folder(String source, Instant startedAt, String backupId) {
        return config.prefix() + "/" + source + "/" + DAY.format(startedAt) + "/" + backupId + "/";
    }

    public MultipartUploadStream upload(String key) {
        return new MultipartUploadStream(s3, config.bucket(), key, backupConfig.partSizeMib() * 1024 * 1024,
                backupConfig.uploadConcurrency(), uploads);
    }

    public void abortUpload(String key, String uploadId) {
        s3.abortMultipartUpload(AbortMultipartUploadRequest.builder().bucket(config.bucket()).key(key).uploadId(uploadId).build());
    }

    public void putManifest(String key, BackupManifest manifest) {
        s3.putObject(b -> b.bucket(config.bucket()).key(key).contentType("application/json"),
                RequestBody.fromString(EventCodec.toJson(manifest)));
    }

    public Optional<BackupManifest> manifest(String key) {
        try {
            byte[] bytes = s3.getObjectAsBytes(b -> b.bucket(config.bucket()).key(key)).asByteArray();
            return Optional.of(EventCodec.mapper().readValue(bytes, BackupManifest.class));
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        } catch (java.io.IOException e) {
            throw new IllegalStateException("manifest " + key + " is not valid JSON: " + e.getMessage(), e);
        }
    }

    public boolean exists(String key) {
        try {
            s3.headObject(b -> b.bucket(config.bucket()).key(key));
            return true;
        } catch (NoSuchKeyException e) {
            return false;
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return false;
            }
            throw e;
        }
    }

    public ResponseInputStream<GetObjectResponse> read(String key) {
        return s3.getObject(b -> b.bucket(config.bucket()).key(key));
    }

    public InputStream readRange(String key, long from, long to) {
        return s3.getObject(b -> b.bucket(config.bucket()).key(key).range("bytes=" + from + "-" + to));
    }

    public void delete(String key) {
        s3.deleteObject(b -> b.bucket(config.bucket()).key(key));
    }

    public long multipartUploadsUnder(String prefix) {
        return s3.listMultipartUploads(b -> b.bucket(config.bucket()).prefix(prefix)).uploads().size();
    }
}

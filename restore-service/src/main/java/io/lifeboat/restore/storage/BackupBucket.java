package io.lifeboat.restore.storage;

import io.lifeboat.events.EventCodec;
import io.lifeboat.events.storage.BackupManifest;
import io.lifeboat.restore.config.S3Config;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The backup bucket read as a catalogue: every {@code manifest.json} is a restorable backup. Needs no Lifeboat
 * database and no Kafka history (runbook scenario 3, complete infrastructure loss).
 */
@ApplicationScoped
public class BackupBucket {

    private static final Logger LOG = Logger.getLogger(BackupBucket.class);

    private final S3Client s3;
    private final S3Config config;

    public BackupBucket(S3Client s3, S3Config config) {
        this.s3 = s3;
        this.config = config;
    }

    public String bucket() {
        return config.bucket();
    }

    /** True when the S3 endpoint answers for the bucket (a missing bucket still answers: nothing to restore yet). */
    public boolean reachable() {
        try {
            s3.headBucket(b -> b.bucket(config.bucket()));
            return true;
        } catch (software.amazon.awssdk.services.s3.model.S3Exception e) {
            return e.statusCode() == 404;
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** Every manifest of a source (or of all sources when null), newest recovery point first. */
    public List<BackupManifest> manifests(String source) {
        String prefix = config.prefix() + "/" + (source == null ? "" : source + "/");
        List<BackupManifest> manifests = new ArrayList<>();
        try {
            s3.headBucket(b -> b.bucket(config.bucket()));
        } catch (software.amazon.awssdk.services.s3.model.NoSuchBucketException e) {
            return manifests;
        } catch (software.amazon.awssdk.services.s3.model.S3Exception e) {
            if (e.statusCode() == 404) {
                return manifests;
            }
            throw e;
        }
        for (S3Object object : s3.listObjectsV2Paginator(ListObjectsV2Request.builder().bucket(config.bucket())
                .prefix(prefix).build()).contents()) {
            if (object.key().endsWith("/" + BackupManifest.MANIFEST)) {
                read(object.key()).ifPresent(manifests::add);
            }
        }
        manifests.sort(Comparator.comparing(BackupManifest::recoveryPointAt).reversed());
        return manifests;
    }

    public Optional<BackupManifest> read(String manifestKey) {
        try {
            byte[] json = s3.getObjectAsBytes(b -> b.bucket(config.bucket()).key(manifestKey)).asByteArray();
            return Optional.of(EventCodec.mapper().readValue(json, BackupManifest.class));
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        } catch (IOException e) {
            LOG.warnf("skipping unreadable manifest %s: %s", manifestKey, e.getMessage());
            return Optional.empty();
        }
    }

    public ResponseInputStream<GetObjectResponse> open(String objectKey) {
        return s3.getObject(b -> b.bucket(config.bucket()).key(objectKey));
    }
}

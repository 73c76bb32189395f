package io.lifeboat.bucket;

import io.lifeboat.events.storage.BackupManifest;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketAlreadyOwnedByYouException;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The backup bucket: layout {@code <prefix>/<source>/<yyyy>/<mm>/<dd>/<backupId>/{data,manifest.json}} (a chunked
 * backup's data object is its chunk list, {@code chunks}, and its chunks are in {@link #chunkStore}). A manifest,
 * written last, is a backup's commit point: every manifest in the bucket is a restorable backup, and the bucket
 * alone is enough to find them (no Lifeboat database, no Kafka history).
 */
@ApplicationScoped
public class BackupBucket {

    private static final Logger LOG = Logger.getLogger(BackupBucket.class);
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyy/MM/dd").withZone(ZoneOffset.UTC);

    private final S3Client s3;
    private final S3Config config;
    private final ManifestAuthentication authentication;
    private final BucketListing listing;
    /** Manifests read before, by key and ETag: a listing reads only the ones it has not seen. */
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();

    private record Cached(String etag, BackupManifest manifest, UntrustedManifest refused) {
    }

    public BackupBucket(S3Client s3, S3Config config, ManifestAuthentication authentication) {
        this.s3 = s3;
        this.config = config;
        this.authentication = authentication;
        this.listing = new BucketListing(s3, config);
    }

    @PreDestroy
    void stop() {
        listing.close();
    }

    /** The manifests of a source: those this Lifeboat wrote, and those it refuses (with why). */
    public record Catalog(List<BackupManifest> trusted, List<UntrustedManifest> refused) {
    }

    public String name() {
        return config.bucket();
    }

    public S3Client client() {
        return s3;
    }

    /** The folder of one backup: {@code <prefix>/<source>/<yyyy>/<mm>/<dd>/<backupId>/}. */
    public String folder(String source, Instant startedAt, String backupId) {
        return config.prefix() + "/" + source + "/" + DAY.format(startedAt) + "/" + backupId + "/";
    }

    /**
     * Where a source's chunked backups keep their chunks, each once ({@link io.lifeboat.bucket.chunk.ChunkRef#key}):
     * {@code <prefix>/<source>/chunks/}.
     */
    public String chunkStore(String source) {
        return config.prefix() + "/" + source + "/chunks/";
    }

    /** The manifest key beside a backup's data object. */
    public static String manifestKeyOf(String objectKey) {
        return objectKey.substring(0, objectKey.lastIndexOf('/') + 1) + BackupManifest.MANIFEST;
    }

    /** True when the S3 endpoint answers for the bucket (a bucket not created yet still answers). */
    public boolean reachable() {
        try {
            s3.headBucket(b -> b.bucket(config.bucket()));
            return true;
        } catch (S3Exception e) {
            return e.statusCode() == 404;
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** Creates the bucket when it is missing. */
    public void ensureExists() {
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

    /** Writes the manifest, authenticated: the commit point of the backup. */
    public void writeManifest(String key, BackupManifest manifest) {
        byte[] signed = authentication.sign(manifest);
        s3.putObject(b -> b.bucket(config.bucket()).key(key).contentType("application/json"), RequestBody.fromBytes(signed));
    }

    /** The manifest at {@code key}, empty when there is none; refused when this Lifeboat did not write it. */
    public Optional<BackupManifest> manifest(String key) throws UntrustedManifest {
        byte[] stored;
        try {
            stored = s3.getObjectAsBytes(b -> b.bucket(config.bucket()).key(key)).asByteArray();
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        }
        return Optional.of(authentication.verify(key, stored));
    }

    /** Every manifest this Lifeboat wrote of a source (of all sources when null), newest recovery point first. */
    public List<BackupManifest> manifests(String source) {
        return catalog(source).trusted();
    }

    /** Every manifest of a source (of all sources when null): the trusted ones newest first, and the refused. */
    public Catalog catalog(String source) {
        if (source == null) {
            return wholeCatalog();
        }
        String prefix = config.prefix() + "/" + source + "/";
        List<BackupManifest> trusted = new ArrayList<>();
        List<UntrustedManifest> refused = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        try {
            for (S3Object object : listing.backupFolderObjects(prefix)) {
                if (!object.key().endsWith("/" + BackupManifest.MANIFEST)) {
                    continue;
                }
                seen.add(object.key());
                Cached cached = cache.get(object.key());
                if (cached == null || !cached.etag().equals(object.eTag())) {
                    cached = read(object);
                    if (cached == null) {
                        continue;
                    }
                    cache.put(object.key(), cached);
                }
                if (cached.manifest() != null) {
                    trusted.add(cached.manifest());
                } else {
                    refused.add(cached.refused());
                }
            }
            // a manifest gone from the bucket (expired) leaves the cache too
            cache.keySet().removeIf(key -> key.startsWith(prefix) && !seen.contains(key));
        } catch (NoSuchBucketException e) {
            return new Catalog(trusted, refused);
        } catch (S3Exception e) {
            if (e.statusCode() != 404) {
                throw e;
            }
        }
        trusted.sort(Comparator.comparing(BackupManifest::recoveryPointAt).reversed());
        return new Catalog(trusted, refused);
    }

    /**
     * Every source's catalogue, source by source (several listed at once): a listing of the whole prefix would walk
     * every chunk store and WAL archive in the bucket (S3Proxy's filesystem store reads its whole tree again for
     * each page).
     */
    private Catalog wholeCatalog() {
        List<BackupManifest> trusted = new ArrayList<>();
        List<UntrustedManifest> refused = new ArrayList<>();
        Map<String, Catalog> bySource = listing.eachSource(this::catalog);
        for (Catalog one : bySource.values()) {
            trusted.addAll(one.trusted());
            refused.addAll(one.refused());
        }
        // a source whose folder is gone leaves the cache too
        String root = config.prefix() + "/";
        cache.keySet().removeIf(key -> key.startsWith(root)
                && !bySource.containsKey(key.substring(root.length(), Math.max(root.length(), key.indexOf('/', root.length())))));
        trusted.sort(Comparator.comparing(BackupManifest::recoveryPointAt).reversed());
        return new Catalog(trusted, refused);
    }

    private Cached read(S3Object object) {
        try {
            return manifest(object.key()).map(m -> new Cached(object.eTag(), m, null)).orElse(null);
        } catch (UntrustedManifest e) {
            LOG.warn(e.getMessage());
            return new Cached(object.eTag(), null, e);
        }
    }

    /** Where a manifest taken out of the catalogue goes, beside its data. */
    public static String quarantineKeyOf(String manifestKey) {
        return manifestKey.substring(0, manifestKey.lastIndexOf('/') + 1) + "manifest.damaged.json";
    }

    /**
     * Takes a backup out of the catalogue without deleting anything: its manifest moves to
     * {@code manifest.damaged.json} (which no catalogue, {@code latest} or {@code --at} reads), data stays for
     * forensics until retention expires it.
     */
    public void quarantine(String manifestKey) {
        s3.copyObject(b -> b.sourceBucket(config.bucket()).sourceKey(manifestKey)
                .destinationBucket(config.bucket()).destinationKey(quarantineKeyOf(manifestKey)));
        delete(manifestKey);
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

    /** The stored size of the object at {@code key}, null when there is none. */
    public Long size(String key) {
        try {
            return s3.headObject(b -> b.bucket(config.bucket()).key(key)).contentLength();
        } catch (NoSuchKeyException e) {
            return null;
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return null;
            }
            throw e;
        }
    }

    public ResponseInputStream<GetObjectResponse> read(String key) {
        return s3.getObject(b -> b.bucket(config.bucket()).key(key));
    }

    public void delete(String key) {
        s3.deleteObject(b -> b.bucket(config.bucket()).key(key));
        cache.remove(key);
    }
}

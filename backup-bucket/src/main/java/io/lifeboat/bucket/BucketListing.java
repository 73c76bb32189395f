package io.lifeboat.bucket;

import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CommonPrefix;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * The listings the catalogue is built from, each touching as little of the bucket as it can: S3Proxy's filesystem
 * store walks everything under a listing's prefix for every page, and on S3 every page is a request.
 */
final class BucketListing implements AutoCloseable {

    /** Sources listed at once by {@link #eachSource}: on S3 each listing is a round trip. */
    private static final int SOURCES_LISTED_AT_ONCE = 8;

    private final S3Client s3;
    private final S3Config config;
    private final ThreadPoolExecutor sourceListings;

    BucketListing(S3Client s3, S3Config config) {
        this.s3 = s3;
        this.config = config;
        AtomicInteger n = new AtomicInteger();
        this.sourceListings = new ThreadPoolExecutor(SOURCES_LISTED_AT_ONCE, SOURCES_LISTED_AT_ONCE, 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, "bucket-source-listing-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        sourceListings.allowCoreThreadTimeOut(true);
    }

    @Override
    public void close() {
        sourceListings.shutdownNow();
    }

    /**
     * {@code listOne} applied to every source with a folder in the bucket, several at once, by source name; a
     * failure of one is thrown here, as if listed on this thread.
     */
    <T> Map<String, T> eachSource(Function<String, T> listOne) {
        Map<String, Future<T>> listings = new HashMap<>();
        for (String source : sources()) {
            listings.putIfAbsent(source, sourceListings.submit(() -> listOne.apply(source)));
        }
        Map<String, T> listed = new HashMap<>();
        for (Map.Entry<String, Future<T>> e : listings.entrySet()) {
            try {
                listed.put(e.getKey(), e.getValue().get());
            } catch (ExecutionException failed) {
                if (failed.getCause() instanceof RuntimeException failure) {
                    throw failure;
                }
                throw new IllegalStateException(failed.getCause());
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while listing the bucket", interrupted);
            }
        }
        return listed;
    }

    /** The names of the sources with a folder in the bucket: the top level, listed without descending into it. */
    List<String> sources() {
        return folders(config.prefix() + "/");
    }

    /**
     * The objects of a source's backup folders ({@code <source>/<yyyy>/...}; {@code prefix} is the source's folder).
     * Its chunk store and WAL archive ({@code <source>/chunks/}, {@code <source>/wal/}), thousands of objects and no
     * manifest, are not listed: the year folders are found first with one listing that does not descend
     * ({@link #folders}), then each is listed whole. S3Proxy's filesystem store walks everything under a listing's
     * prefix for each page, so a listing of the source's folder would walk the chunk store too.
     */
    List<S3Object> backupFolderObjects(String prefix) {
        List<S3Object> objects = new ArrayList<>();
        for (String year : folders(prefix)) {
            if (year.chars().allMatch(Character::isDigit)) {
                objects.addAll(objects(prefix + year + "/"));
            }
        }
        return objects;
    }

    /** The names of the folders directly under {@code prefix} (which ends with '/'), listed without descending. */
    List<String> folders(String prefix) {
        List<String> folders = new ArrayList<>();
        String token = null;
        try {
            do {
                ListObjectsV2Request.Builder request = ListObjectsV2Request.builder().bucket(config.bucket()).prefix(prefix)
                        .delimiter("/");
                if (token != null) {
                    request.continuationToken(token);
                }
                var page = s3.listObjectsV2(request.build());
                for (CommonPrefix folder : page.commonPrefixes()) {
                    folders.add(folder.prefix().substring(prefix.length(), folder.prefix().length() - 1));
                }
                token = Boolean.TRUE.equals(page.isTruncated()) ? page.nextContinuationToken() : null;
            } while (token != null);
        } catch (NoSuchBucketException e) {
            return List.of();
        }
        return folders;
    }

    /** Every object under {@code prefix}, page by page. */
    private List<S3Object> objects(String prefix) {
        List<S3Object> objects = new ArrayList<>();
        String token = null;
        do {
            ListObjectsV2Request.Builder request = ListObjectsV2Request.builder().bucket(config.bucket()).prefix(prefix);
            if (token != null) {
                request.continuationToken(token);
            }
            var page = s3.listObjectsV2(request.build());
            objects.addAll(page.contents());
            token = Boolean.TRUE.equals(page.isTruncated()) ? page.nextContinuationToken() : null;
        } while (token != null);
        return objects;
    }
}

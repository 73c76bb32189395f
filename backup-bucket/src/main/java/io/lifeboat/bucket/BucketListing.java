package io.lifeboat.bucket;

import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CommonPrefix;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.util.ArrayList;
import java.util.List;

/**
 * The two listings the catalogue is built from, each touching as little of the bucket as it can: S3Proxy's
 * filesystem store walks its whole tree for every page of a listing, and on S3 every page is a request.
 */
final class BucketListing {

    private final S3Client s3;
    private final S3Config config;

    BucketListing(S3Client s3, S3Config config) {
        this.s3 = s3;
        this.config = config;
    }

    /** The names of the sources with a folder in the bucket: the top level, listed without descending into it. */
    List<String> sources() {
        String root = config.prefix() + "/";
        List<String> sources = new ArrayList<>();
        String token = null;
        try {
            do {
                ListObjectsV2Request.Builder request = ListObjectsV2Request.builder().bucket(config.bucket()).prefix(root)
                        .delimiter("/");
                if (token != null) {
                    request.continuationToken(token);
                }
                var page = s3.listObjectsV2(request.build());
                for (CommonPrefix folder : page.commonPrefixes()) {
                    sources.add(folder.prefix().substring(root.length(), folder.prefix().length() - 1));
                }
                token = Boolean.TRUE.equals(page.isTruncated()) ? page.nextContinuationToken() : null;
            } while (token != null);
        } catch (NoSuchBucketException e) {
            return List.of();
        }
        return sources;
    }

    /**
     * The objects of a source's backup folders ({@code <source>/<yyyy>/...}; {@code prefix} is the source's folder).
     * Its chunk store and WAL archive ({@code <source>/chunks/}, {@code <source>/wal/}), thousands of objects and no
     * manifest, are not listed: keys list in byte order, and those folders sort after the year folders.
     */
    List<S3Object> backupFolderObjects(String prefix) {
        List<S3Object> objects = new ArrayList<>();
        String token = null;
        while (true) {
            ListObjectsV2Request.Builder request = ListObjectsV2Request.builder().bucket(config.bucket()).prefix(prefix);
            if (token != null) {
                request.continuationToken(token);
            }
            var page = s3.listObjectsV2(request.build());
            for (S3Object object : page.contents()) {
                String rest = object.key().substring(prefix.length());
                if (rest.isEmpty()) {
                    continue; // a folder marker some tools write: it sorts first
                }
                if (!Character.isDigit(rest.charAt(0))) {
                    return objects; // past the year folders
                }
                objects.add(object);
            }
            if (!Boolean.TRUE.equals(page.isTruncated())) {
                return objects;
            }
            token = page.nextContinuationToken();
        }
    }
}

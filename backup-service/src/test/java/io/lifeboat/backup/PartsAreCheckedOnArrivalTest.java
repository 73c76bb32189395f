package io.lifeboat.backup;

import io.lifeboat.backup.storage.MultipartUploadStream;
import io.lifeboat.bucket.BackupBucket;
import io.lifeboat.bucket.StoredObjectDigest;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Exception;

import java.util.Base64;
import java.util.HexFormat;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Each part of a backup is hashed once, by Lifeboat, and S3 (the real S3Proxy) checks the part against that digest
 * on arrival; the manifest's digest is composed from the parts'.
 */
@QuarkusTest
class PartsAreCheckedOnArrivalTest {

    private static final int PART = 5 * 1024 * 1024; // S3's smallest part

    @Inject
    S3Client s3;

    @Inject
    BackupBucket bucket;

    @Test
    void aPartWhoseBytesDifferFromItsDigestIsRefusedByTheServer() {
        bucket.ensureExists();
        String key = "tests/altered-part";
        String uploadId = s3.createMultipartUpload(r -> r.bucket(bucket.name()).key(key)).uploadId();
        try {
            byte[] sent = random(1024, 1);
            byte[] digested = sent.clone();
            digested[100] ^= 1; // what the writer hashed is not what arrives
            String checksum = Base64.getEncoder().encodeToString(StoredObjectDigest.sha256().digest(digested));
            assertThatThrownBy(() -> s3.uploadPart(r -> r.bucket(bucket.name()).key(key).uploadId(uploadId).partNumber(1)
                    .checksumSHA256(checksum), RequestBody.fromBytes(sent)))
                    .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.statusCode()).isEqualTo(400));
        } finally {
            s3.abortMultipartUpload(r -> r.bucket(bucket.name()).key(key).uploadId(uploadId));
        }
    }

    @Test
    void aMultipartObjectsDigestIsComposedFromItsPartsAndMatchesWhatIsStored() throws Exception {
        bucket.ensureExists();
        String key = "tests/three-parts";
        byte[] object = random(2 * PART + 12345, 2);
        ExecutorService executor = Executors.newFixedThreadPool(2);
        String digest;
        try {
            MultipartUploadStream upload = new MultipartUploadStream(s3, bucket.name(), key, PART, 2, executor);
            Random sizes = new Random(3);
            for (int off = 0; off < object.length; ) { // writes of any size, across part boundaries
                int n = Math.min(object.length - off, 1 + sizes.nextInt(3 * 1024 * 1024));
                upload.write(object, off, n);
                off += n;
            }
            digest = upload.complete();
        } finally {
            executor.shutdownNow();
        }
        byte[] stored = s3.getObjectAsBytes(r -> r.bucket(bucket.name()).key(key)).asByteArray();
        assertThat(stored).isEqualTo(object);
        StoredObjectDigest reread = new StoredObjectDigest((long) PART);
        reread.update(stored, 0, stored.length);
        assertThat(reread.hex()).isEqualTo(digest);
        // composed from three parts, not the whole object's SHA-256 (the format-2 digest)
        assertThat(digest).isNotEqualTo(HexFormat.of().formatHex(StoredObjectDigest.sha256().digest(object)));
    }

    @Test
    void smallAndEmptyObjectsAreStoredWhole() throws Exception {
        bucket.ensureExists();
        ExecutorService executor = Executors.newFixedThreadPool(2);
        try {
            for (int size : new int[]{0, 1000, 300 * 1024}) { // nothing, less than a first buffer, more than one
                byte[] object = random(size, size);
                String key = "tests/small-" + size;
                MultipartUploadStream upload = new MultipartUploadStream(s3, bucket.name(), key, PART, 2, executor);
                for (int off = 0; off < object.length; off += 7000) {
                    upload.write(object, off, Math.min(7000, object.length - off));
                }
                String digest = upload.complete();
                byte[] stored = s3.getObjectAsBytes(r -> r.bucket(bucket.name()).key(key)).asByteArray();
                assertThat(stored).as("%d bytes", size).isEqualTo(object);
                StoredObjectDigest reread = new StoredObjectDigest((long) PART);
                reread.update(stored, 0, stored.length);
                assertThat(reread.hex()).isEqualTo(digest);
            }
        } finally {
            executor.shutdownNow();
        }
    }

    private static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }
}

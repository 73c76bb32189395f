package io.lifeboat.bucket.wal;

import io.lifeboat.bucket.ManifestAuthentication;
import io.lifeboat.bucket.S3Config;
import io.lifeboat.bucket.UntrustedManifest;
import jakarta.enterprise.context.ApplicationScoped;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CommonPrefix;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The WAL of continuous sources in the bucket (DESIGN, storage layout), kept apart per cluster (its system id,
 * as pgBackRest keeps a stanza's archive per database id: a source rebuilt as a new cluster after a disaster
 * never overwrites the WAL of the old one): {@code <prefix>/<source>/wal/<systemId>/<timeline>/} one object per
 * segment, {@code <segment>.partial} for the segment being written (rewritten at a short interval),
 * {@code <timeline>.history} files, and {@code coverage.json}. Every object is a signed
 * {@link WalObjectHeader} followed by its payload: {@code LBWAL001}, the header's length (4 bytes), the header
 * (JSON), the payload. A reader trusts nothing whose MAC or sha256 does not match.
 */
@ApplicationScoped
public class WalArchive {

    private static final byte[] MAGIC = "LBWAL001".getBytes(StandardCharsets.US_ASCII);
    private static final int MAX_HEADER = 16 * 1024;
    public static final String PARTIAL_SUFFIX = ".partial";
    public static final String HISTORY_SUFFIX = ".history";

    private final S3Client s3;
    private final S3Config config;
    private final ManifestAuthentication authentication;

    public WalArchive(S3Client s3, S3Config config, ManifestAuthentication authentication) {
        this.s3 = s3;
        this.config = config;
        this.authentication = authentication;
    }

    /** One stored WAL object, as listed: its key, and what its name says. */
    public record Entry(String key, int timeline, String name, boolean partial, long size) {
    }

    /** The WAL of one source as the bucket lists it: segments by timeline and number, history files by timeline. */
    public record Listing(Map<Integer, TreeMap<Long, Entry>> complete, Map<Integer, TreeMap<Long, Entry>> partial,
                          Map<Integer, Entry> histories) {

        public boolean isEmpty() {
            return complete.isEmpty() && partial.isEmpty();
        }

        /** The complete segment, or else the partial one, numbered {@code segment} on {@code timeline}. */
        public Optional<Entry> find(int timeline, long segment) {
            Entry e = complete.getOrDefault(timeline, new TreeMap<>()).get(segment);
            if (e == null) e = partial.getOrDefault(timeline, new TreeMap<>()).get(segment);
            return Optional.ofNullable(e);
        }

        public int newestTimeline() {
            int newest = 0;
            for (int t : complete.keySet()) newest = Math.max(newest, t);
            for (int t : partial.keySet()) newest = Math.max(newest, t);
            for (int t : histories.keySet()) newest = Math.max(newest, t);
            return newest;
        }
    }

    /** A WAL object read back and checked: its header and its payload as stored. */
    public record Stored(WalObjectHeader header, byte[] payload) {
    }

    /** Associated data of an encrypted WAL object: it is bound to its source and name, never passed off as another. */
    public static String associatedData(String source, String name) {
        return "wal:" + source + "/" + name;
    }

    /** The WAL of every cluster a source has been: {@code <prefix>/<source>/wal/}. */
    public String sourceFolder(String source) {
        return config.prefix() + "/" + source + "/wal/";
    }

    public String folder(String source, String systemId) {
        return sourceFolder(source) + systemId + "/";
    }

    public String segmentKey(String source, String systemId, int timeline, String segmentName, boolean partial) {
        return folder(source, systemId) + String.format("%08X", timeline) + "/" + segmentName + (partial ? PARTIAL_SUFFIX : "");
    }

    public String historyKey(String source, String systemId, int timeline) {
        return folder(source, systemId) + String.format("%08X", timeline) + HISTORY_SUFFIX;
    }

    public String coverageKey(String source, String systemId) {
        return folder(source, systemId) + "coverage.json";
    }

    /** The clusters (system ids) whose WAL the bucket holds for {@code source}. */
    public List<String> systems(String source) {
        List<String> systems = new ArrayList<>();
        try {
            for (CommonPrefix prefix : s3.listObjectsV2Paginator(ListObjectsV2Request.builder().bucket(config.bucket())
                    .prefix(sourceFolder(source)).delimiter("/").build()).commonPrefixes()) {
                String rest = prefix.prefix().substring(sourceFolder(source).length());
                systems.add(rest.substring(0, rest.length() - 1));
            }
        } catch (NoSuchBucketException e) {
            return systems;
        } catch (S3Exception e) {
            if (e.statusCode() != 404) throw e;
        }
        return systems;
    }

    /** Stores {@code payload} under {@code key}, after its signed header (whose sha256 and sizes are filled in here). */
    public WalObjectHeader put(String key, WalObjectHeader header, byte[] payload, int length) {
        WalObjectHeader complete = new WalObjectHeader(WalObjectHeader.FORMAT_VERSION, header.source(), header.systemId(),
                header.timeline(),
                header.name(), header.partial(), header.plainBytes(), length, sha256(payload, length), header.endLsn(),
                header.coveredUntil(), header.compression(), header.encryption(), header.storedAt(), null);
        byte[] signed = authentication.signJson(complete, key);
        ByteBuffer object = ByteBuffer.allocate(MAGIC.length + 4 + signed.length + length);
        object.put(MAGIC).putInt(signed.length).put(signed).put(payload, 0, length);
        s3.putObject(b -> b.bucket(config.bucket()).key(key).contentType("application/octet-stream"),
                RequestBody.fromBytes(object.array()));
        return complete;
    }

    /** The object at {@code key}, its MAC and its payload's sha256 checked. */
    public Stored read(String key) throws DamagedWal {
        byte[] object;
        try {
            object = s3.getObjectAsBytes(b -> b.bucket(config.bucket()).key(key)).asByteArray();
        } catch (NoSuchKeyException e) {
            throw new DamagedWal(key, "is missing");
        }
        ByteBuffer buffer = ByteBuffer.wrap(object);
        WalObjectHeader header = header(key, buffer);
        byte[] payload = new byte[buffer.remaining()];
        buffer.get(payload);
        if (payload.length != header.storedBytes()) {
            throw new DamagedWal(key, "holds " + payload.length + " bytes, its header says " + header.storedBytes()
                    + ": it is damaged and is not used");
        }
        String actual = sha256(payload, payload.length);
        if (!actual.equals(header.sha256())) {
            throw new DamagedWal(key, "has sha256 " + actual + ", its header says " + header.sha256()
                    + ": it is damaged and is not used");
        }
        return new Stored(header, payload);
    }

    /** Only the header of the object at {@code key} (one ranged read), its MAC checked. */
    public Optional<WalObjectHeader> header(String key) throws DamagedWal {
        ResponseBytes<GetObjectResponse> head;
        try {
            head = s3.getObjectAsBytes(b -> b.bucket(config.bucket()).key(key).range("bytes=0-" + (MAGIC.length + 4 + MAX_HEADER)));
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        }
        return Optional.of(header(key, ByteBuffer.wrap(head.asByteArray())));
    }

    private WalObjectHeader header(String key, ByteBuffer buffer) throws DamagedWal {
        byte[] magic = new byte[MAGIC.length];
        if (buffer.remaining() < MAGIC.length + 4) {
            throw new DamagedWal(key, "is too short to be a Lifeboat WAL object");
        }
        buffer.get(magic);
        int length = buffer.getInt();
        if (!java.util.Arrays.equals(magic, MAGIC) || length <= 0 || length > MAX_HEADER || length > buffer.remaining()) {
            throw new DamagedWal(key, "is not a Lifeboat WAL object");
        }
        byte[] json = new byte[length];
        buffer.get(json);
        try {
            WalObjectHeader header = authentication.verifyJson(key, json, WalObjectHeader.class);
            String expected = key.substring(key.lastIndexOf('/') + 1).replace(PARTIAL_SUFFIX, "");
            if (!expected.equals(header.name()) || !key.contains("/wal/" + header.systemId() + "/")) {
                throw new DamagedWal(key, "has the header of " + header.name() + ": it was moved, and is not used");
            }
            return header;
        } catch (UntrustedManifest e) {
            throw new DamagedWal(key, "has a header that was not written by this Lifeboat (its MAC does not verify)");
        }
    }

    /** Every WAL object of {@code source}'s cluster {@code systemId}, by what its key says (nothing is read). */
    public Listing list(String source, String systemId) {
        Map<Integer, TreeMap<Long, Entry>> complete = new TreeMap<>();
        Map<Integer, TreeMap<Long, Entry>> partial = new TreeMap<>();
        Map<Integer, Entry> histories = new TreeMap<>();
        String folder = folder(source, systemId);
        try {
            for (S3Object o : s3.listObjectsV2Paginator(ListObjectsV2Request.builder().bucket(config.bucket()).prefix(folder)
                    .build()).contents()) {
                String rest = o.key().substring(folder.length());
                if (rest.endsWith(HISTORY_SUFFIX) && rest.indexOf('/') < 0) {
                    int tli = Integer.parseInt(rest.substring(0, 8), 16);
                    histories.put(tli, new Entry(o.key(), tli, rest, false, o.size()));
                    continue;
                }
                int slash = rest.indexOf('/');
                if (slash != 8) {
                    continue;
                }
                String file = rest.substring(slash + 1);
                boolean isPartial = file.endsWith(PARTIAL_SUFFIX);
                String name = isPartial ? file.substring(0, file.length() - PARTIAL_SUFFIX.length()) : file;
                if (!Lsn.isSegmentName(name)) {
                    continue;
                }
                int tli = Lsn.timelineOf(name);
                // continuous sources use the default 16 MiB segments (backup-service refuses any other size)
                long segment = Lsn.segmentNumber(name, Lsn.DEFAULT_SEGMENT_SIZE);
                (isPartial ? partial : complete).computeIfAbsent(tli, t -> new TreeMap<>())
                        .put(segment, new Entry(o.key(), tli, name, isPartial, o.size()));
            }
        } catch (NoSuchBucketException e) {
            // nothing stored yet
        } catch (S3Exception e) {
            if (e.statusCode() != 404) throw e;
        }
        return new Listing(complete, partial, histories);
    }

    public void putCoverage(WalCoverage coverage) {
        String key = coverageKey(coverage.source(), coverage.systemId());
        byte[] signed = authentication.signJson(coverage, key);
        s3.putObject(b -> b.bucket(config.bucket()).key(key).contentType("application/json"), RequestBody.fromBytes(signed));
    }

    /** The coverage marker of {@code source}'s cluster {@code systemId}, if there is one this Lifeboat wrote. */
    public Optional<WalCoverage> coverage(String source, String systemId) {
        String key = coverageKey(source, systemId);
        try {
            byte[] stored = s3.getObjectAsBytes(b -> b.bucket(config.bucket()).key(key)).asByteArray();
            WalCoverage coverage = authentication.verifyJson(key, stored, WalCoverage.class);
            return systemId.equals(coverage.systemId()) && source.equals(coverage.source()) ? Optional.of(coverage) : Optional.empty();
        } catch (NoSuchKeyException | UntrustedManifest e) {
            return Optional.empty();
        } catch (S3Exception e) {
            if (e.statusCode() == 404) return Optional.empty();
            throw e;
        }
    }

    public void delete(String key) {
        s3.deleteObject(b -> b.bucket(config.bucket()).key(key));
    }

    static String sha256(byte[] data, int length) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(data, 0, length);
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

package io.lifeboat.bucket;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * The digest a manifest records for its data object, computed while the object streams by.
 * <ul>
 *   <li>{@code partBytes} set (manifest format 3): SHA-256 over the SHA-256 of each {@code partBytes}-long piece of
 *   the object, in order (the last piece may be shorter; an empty object is one empty piece). This is how S3 composes
 *   multipart checksums. The writer sends each piece's digest with its upload part, so S3 checks every part on
 *   arrival, and still hashes every byte once.</li>
 *   <li>{@code partBytes} null (format 2): SHA-256 of the whole object.</li>
 * </ul>
 */
public final class StoredObjectDigest {

    private final Long partBytes;
    private final MessageDigest bytes = sha256();
    private final MessageDigest composite = sha256();
    private long inPart;
    private long parts;

    public StoredObjectDigest(Long partBytes) {
        if (partBytes != null && partBytes <= 0) {
            throw new IllegalArgumentException("partBytes must be positive, was " + partBytes);
        }
        this.partBytes = partBytes;
    }

    public void update(byte[] b, int off, int len) {
        if (partBytes == null) {
            bytes.update(b, off, len);
            return;
        }
        while (len > 0) {
            int n = (int) Math.min(len, partBytes - inPart);
            bytes.update(b, off, n);
            inPart += n;
            off += n;
            len -= n;
            if (inPart == partBytes) {
                endPart();
            }
        }
    }

    /** The hex digest of everything given to {@link #update}; call once. */
    public String hex() {
        if (partBytes == null) {
            return HexFormat.of().formatHex(bytes.digest());
        }
        if (inPart > 0 || parts == 0) {
            endPart();
        }
        return HexFormat.of().formatHex(composite.digest());
    }

    private void endPart() {
        composite.update(bytes.digest());
        inPart = 0;
        parts++;
    }

    /** The format-3 digest of an object from its parts' SHA-256 digests, in part order. */
    public static String composite(List<byte[]> partDigests) {
        MessageDigest composite = sha256();
        partDigests.forEach(composite::update);
        return HexFormat.of().formatHex(composite.digest());
    }

    public static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

package io.lifeboat.bucket.chunk;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.streamingaead.AesGcmHkdfStreamingKey;
import com.google.crypto.tink.subtle.AesGcmJce;
import com.google.crypto.tink.subtle.Hkdf;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;

/**
 * How a chunk's id is made and how its bytes are sealed for the bucket. {@link #PLAIN}: the id is the SHA-256 of
 * the chunk's bytes, stored as they are (after compression). {@link #encrypted}: the id is an HMAC-SHA256 of the
 * bytes under a key derived from the backup keyset's key, so the bucket's object names say nothing about the
 * content (a plain hash would let anyone holding a file check whether the bucket stores it, the reason borg keys its
 * ids too), and the stored bytes are AES-256-GCM (Tink's {@link AesGcmJce}: a random 96-bit nonce, then the
 * ciphertext and its tag) under a second key derived from it, with the chunk id as associated data, so a chunk
 * cannot be passed off as another one. One-shot AEAD rather than the archives' streaming AEAD: a chunk is at most
 * 16 MiB and held whole anyway, and the streaming primitive allocated two 1 MiB segment buffers per chunk.
 */
public interface ChunkSeal {

    ChunkSeal PLAIN = new ChunkSeal() {
        @Override
        public String id(byte[] bytes) {
            return ChunkRef.sha256(bytes);
        }

        @Override
        public String keyId() {
            return null;
        }

        @Override
        public byte[] seal(String id, byte[] stored) {
            return stored;
        }

        @Override
        public byte[] open(String id, byte[] sealed) {
            return sealed;
        }
    };

    /** The chunk's id: what a restore checks its bytes against. */
    String id(byte[] bytes);

    /** The key ({@code tink-<id>}) the ids are keyed by and the chunks encrypted with; null when plain. */
    String keyId();

    default boolean encrypts() {
        return keyId() != null;
    }

    /** What the bucket stores for a chunk whose compressed (or raw) bytes are {@code stored}. */
    byte[] seal(String id, byte[] stored) throws IOException;

    /** The compressed (or raw) bytes back from what the bucket stored; throws when they are not authentic. */
    byte[] open(String id, byte[] sealed) throws IOException;

    /**
     * Ids keyed by, and bytes encrypted with, the key {@code keyId} ({@code tink-<id>}, as manifests name it) of
     * {@code keyset}, a Tink streaming-AEAD keyset with AES-GCM-HKDF keys.
     */
    static ChunkSeal encrypted(KeysetHandle keyset, String keyId) throws GeneralSecurityException {
        for (int i = 0; i < keyset.size(); i++) {
            KeysetHandle.Entry entry = keyset.getAt(i);
            if (!("tink-" + Integer.toUnsignedString(entry.getId())).equals(keyId)) {
                continue;
            }
            if (!(entry.getKey() instanceof AesGcmHkdfStreamingKey key)) {
                throw new GeneralSecurityException("key " + keyId + " is not an AES-GCM-HKDF streaming key");
            }
            byte[] material = key.getInitialKeyMaterial().toByteArray(InsecureSecretKeyAccess.get());
            byte[] info = keyId.getBytes(StandardCharsets.US_ASCII);
            byte[] idKey = Hkdf.computeHkdf("HMACSHA256", material, "lifeboat chunk ids".getBytes(StandardCharsets.US_ASCII), info, 32);
            byte[] sealKey = Hkdf.computeHkdf("HMACSHA256", material, "lifeboat chunk encryption".getBytes(StandardCharsets.US_ASCII), info, 32);
            return new Encrypted(keyId, new SecretKeySpec(idKey, "HmacSHA256"), new AesGcmJce(sealKey));
        }
        throw new GeneralSecurityException("the keyset has no key " + keyId);
    }

    final class Encrypted implements ChunkSeal {
        private final String keyId;
        private final SecretKeySpec idKey;
        private final Aead aead;

        private Encrypted(String keyId, SecretKeySpec idKey, Aead aead) {
            this.keyId = keyId;
            this.idKey = idKey;
            this.aead = aead;
        }

        @Override
        public String id(byte[] bytes) {
            try {
                Mac mac = Mac.getInstance("HmacSHA256");
                mac.init(idKey);
                return HexFormat.of().formatHex(mac.doFinal(bytes));
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("HmacSHA256 is part of every Java runtime", e);
            }
        }

        @Override
        public String keyId() {
            return keyId;
        }

        @Override
        public byte[] seal(String id, byte[] stored) throws IOException {
            try {
                return aead.encrypt(stored, id.getBytes(StandardCharsets.US_ASCII));
            } catch (GeneralSecurityException e) {
                throw new IOException("cannot encrypt chunk " + id + ": " + e.getMessage(), e);
            }
        }

        @Override
        public byte[] open(String id, byte[] sealed) throws IOException {
            try {
                return aead.decrypt(sealed, id.getBytes(StandardCharsets.US_ASCII));
            } catch (GeneralSecurityException e) {
                throw new IOException("chunk " + id + " is damaged: it does not decrypt with its key (" + e.getMessage() + ")", e);
            }
        }
    }
}

package io.lifeboat.restore.storage;

import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.StreamingAead;
import com.google.crypto.tink.TinkJsonProtoKeysetFormat;
import com.google.crypto.tink.streamingaead.StreamingAeadConfig;
import io.lifeboat.bucket.chunk.ChunkSeal;
import io.lifeboat.events.backup.Encryption;
import io.lifeboat.restore.config.RestoreConfig;
import jakarta.enterprise.context.ApplicationScoped;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.Optional;

/** Decrypts Tink streaming-AEAD backups; a backup whose key is not here is refused with a clear message. */
@ApplicationScoped
public class Decryption {

    private final Optional<Path> keysetFile;
    private final String keysetLocation;
    private volatile KeysetHandle loaded;

    public Decryption(RestoreConfig config) throws GeneralSecurityException {
        StreamingAeadConfig.register();
        keysetFile = config.encryption().keysetFile().map(Path::of);
        keysetLocation = config.encryption().keysetFile().orElse("(none configured)");
    }

    /** Read on first need, so a keyset put in place after start (e.g. from a vault after a disaster) is used. */
    private Optional<KeysetHandle> keyset() {
        if (loaded == null && keysetFile.isPresent() && Files.exists(keysetFile.get())) {
            try {
                loaded = TinkJsonProtoKeysetFormat.parseKeyset(Files.readString(keysetFile.get()), InsecureSecretKeyAccess.get());
            } catch (IOException | GeneralSecurityException e) {
                throw new IllegalStateException("cannot read the keyset at " + keysetLocation + ": " + e.getMessage(), e);
            }
        }
        return Optional.ofNullable(loaded);
    }

    /** The key ids (as manifests name them, {@code tink-<id>}) this service can decrypt with. */
    public java.util.Set<String> keyIds() {
        return keyset().map(k -> k.getKeysetInfo().getKeyInfoList().stream()
                .map(info -> "tink-" + Integer.toUnsignedString(info.getKeyId()))
                .collect(java.util.stream.Collectors.toSet())).orElse(java.util.Set.of());
    }

    /** Why this backup cannot be decrypted here, or empty when it can (or is not encrypted). */
    public Optional<String> problem(Encryption encryption) {
        if (encryption == null) {
            return Optional.empty();
        }
        Optional<KeysetHandle> keyset = keyset();
        if (keyset.isEmpty()) {
            return Optional.of("the backup is encrypted (" + encryption.algorithm() + ", key " + encryption.keyId()
                    + ") but restore-service has no decryption keyset at " + keysetLocation
                    + "; set lifeboat.restore.encryption.keyset-file to the keyset backup-service used");
        }
        String id = "tink-" + Integer.toUnsignedString(keyset.get().getKeysetInfo().getPrimaryKeyId());
        boolean known = keyset.get().getKeysetInfo().getKeyInfoList().stream()
                .anyMatch(k -> ("tink-" + Integer.toUnsignedString(k.getKeyId())).equals(encryption.keyId()));
        if (!known) {
            return Optional.of("the backup was encrypted with key " + encryption.keyId() + ", which is not in the keyset at "
                    + keysetLocation + " (it holds " + id + ")");
        }
        return Optional.empty();
    }

    /** How the chunks of a chunked backup encrypted as {@code encryption} says are opened and checked. */
    public ChunkSeal chunkSeal(Encryption encryption) throws IOException {
        try {
            return ChunkSeal.encrypted(keyset().orElseThrow(() -> new IOException(problem(encryption).orElse("no keyset"))),
                    encryption.keyId());
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot open the chunks of key " + encryption.keyId() + ": " + e.getMessage(), e);
        }
    }

    public InputStream decrypting(InputStream ciphertext, String backupId) throws IOException {
        try {
            return keyset().orElseThrow().getPrimitive(StreamingAead.class)
                    .newDecryptingStream(ciphertext, backupId.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot decrypt: " + e.getMessage(), e);
        }
    }
}

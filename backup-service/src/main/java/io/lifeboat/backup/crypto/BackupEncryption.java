package io.lifeboat.backup.crypto;

import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.KeyTemplates;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.StreamingAead;
import com.google.crypto.tink.TinkJsonProtoKeysetFormat;
import com.google.crypto.tink.streamingaead.StreamingAeadConfig;
import io.lifeboat.backup.config.BackupConfig;
import io.lifeboat.bucket.chunk.ChunkSeal;
import io.lifeboat.events.backup.Encryption;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.util.Optional;

/**
 * Encryption at rest with Tink's streaming AEAD (AES-256-GCM-HKDF, 1 MiB segments). The backup id is the
 * associated data, so a ciphertext cannot be passed off as another backup. Manifests record the algorithm and
 * key id, never the key.
 */
@Startup // a missing key must stop the service at start, not the first backup at 3 a.m.
@ApplicationScoped
public class BackupEncryption {

    public static final String ALGORITHM = "AES256_GCM_HKDF_1MB";
    private static final Logger LOG = Logger.getLogger(BackupEncryption.class);

    private final Optional<KeysetHandle> keyset;

    public BackupEncryption(BackupConfig config) throws GeneralSecurityException, IOException {
        StreamingAeadConfig.register();
        this.keyset = load(config.encryption());
    }

    private static Optional<KeysetHandle> load(BackupConfig.Encryption config) throws GeneralSecurityException, IOException {
        if (config.keysetFile().isEmpty()) {
            return Optional.empty();
        }
        Path file = Path.of(config.keysetFile().get());
        if (!Files.exists(file)) {
            if (!config.generateIfMissing()) {
                // a new key would silently make every encrypted backup taken with the old one unreadable
                throw new IllegalStateException("the backup encryption keyset " + file + " does not exist: put the escrowed "
                        + "keyset back (docs/runbook.md, scenario 3), or, on the very first start of a new installation "
                        + "only, set lifeboat.backup.encryption.generate-if-missing=true");
            }
            KeysetHandle generated = KeysetHandle.generateNew(KeyTemplates.get(ALGORITHM));
            Files.createDirectories(file.getParent());
            Files.writeString(file, TinkJsonProtoKeysetFormat.serializeKeyset(generated, InsecureSecretKeyAccess.get()));
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            LOG.infof("created backup encryption keyset %s", file);
        }
        return Optional.of(TinkJsonProtoKeysetFormat.parseKeyset(Files.readString(file), InsecureSecretKeyAccess.get()));
    }

    public boolean available() {
        return keyset.isPresent();
    }

    /** The ids (as manifests name them, {@code tink-<id>}) of every key of the keyset, primary or not. */
    public java.util.Set<String> keyIds() {
        return keyset.map(k -> k.getKeysetInfo().getKeyInfoList().stream()
                .map(info -> "tink-" + Integer.toUnsignedString(info.getKeyId()))
                .collect(java.util.stream.Collectors.toSet())).orElse(java.util.Set.of());
    }

    public Encryption describe() {
        return new Encryption(ALGORITHM, "tink-" + Integer.toUnsignedString(requireKeyset().getKeysetInfo().getPrimaryKeyId()));
    }

    /** Wraps {@code ciphertext} so that what is written to the result is stored encrypted. */
    public OutputStream encrypting(OutputStream ciphertext, String backupId) throws IOException {
        try {
            StreamingAead aead = requireKeyset().getPrimitive(StreamingAead.class);
            return aead.newEncryptingStream(ciphertext, backupId.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot start encryption: " + e.getMessage(), e);
        }
    }

    /** How the chunks of an encrypted chunked backup are named and sealed: with the primary key ({@link #describe}). */
    public ChunkSeal chunkSeal() throws IOException {
        return chunkSeal(describe().keyId());
    }

    /** How the chunks of a backup encrypted with {@code keyId} were named and sealed (to read them back). */
    public ChunkSeal chunkSeal(String keyId) throws IOException {
        try {
            return ChunkSeal.encrypted(requireKeyset(), keyId);
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot use key " + keyId + " of the backup keyset for chunks: " + e.getMessage(), e);
        }
    }

    /** Reads back what {@link #encrypting} stored for {@code backupId} (a chunked backup's list, on verification). */
    public InputStream decrypting(InputStream ciphertext, String backupId) throws IOException {
        try {
            StreamingAead aead = requireKeyset().getPrimitive(StreamingAead.class);
            return aead.newDecryptingStream(ciphertext, backupId.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot start decryption: " + e.getMessage(), e);
        }
    }

    private KeysetHandle requireKeyset() {
        return keyset.orElseThrow(() -> new IllegalStateException(
                "encryption is on for this source but no keyset is configured (lifeboat.backup.encryption.keyset-file)"));
    }
}

package io.lifeboat.backup.crypto;

import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.KeyTemplates;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.StreamingAead;
import com.google.crypto.tink.TinkJsonProtoKeysetFormat;
import com.google.crypto.tink.streamingaead.StreamingAeadConfig;
import io.lifeboat.backup.config.BackupConfig;
import io.lifeboat.events.backup.Encryption;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.io.IOException;
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
                LOG.warnf("encryption keyset %s does not exist; encrypted backups will fail until it does", file);
                return Optional.empty();
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

    private KeysetHandle requireKeyset() {
        return keyset.orElseThrow(() -> new IllegalStateException(
                "encryption is on for this source but no keyset is configured (lifeboat.backup.encryption.keyset-file)"));
    }
}

package io.lifeboat.bucket;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.KeyTemplates;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.Mac;
import com.google.crypto.tink.TinkJsonProtoKeysetFormat;
import com.google.crypto.tink.mac.MacConfig;
import io.lifeboat.events.EventCodec;
import io.lifeboat.events.storage.BackupManifest;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.util.Base64;

/**
 * Authenticates manifests with a Tink MAC (HMAC-SHA256) over their JSON without the {@code mac} field. The key
 * lives beside the encryption keyset, never in the bucket, so whoever can write the bucket still cannot make
 * Lifeboat restore data it did not back up: unencrypted backups are as tamper-evident as encrypted ones.
 */
@Startup // a missing key must stop the service at start, not the first backup at 3 a.m.
@ApplicationScoped
public class ManifestAuthentication {

    static final String TEMPLATE = "HMAC_SHA256_256BITTAG";
    private static final Logger LOG = Logger.getLogger(ManifestAuthentication.class);
    private static final ObjectMapper JSON = EventCodec.mapper();

    private final Mac mac;

    @Inject
    public ManifestAuthentication(ManifestConfig config) throws GeneralSecurityException, IOException {
        this(load(Path.of(config.keysetFile()), config.generateIfMissing()));
    }

    ManifestAuthentication(Mac mac) {
        this.mac = mac;
    }

    /** For tools and tests that write manifests as Lifeboat does: the MAC key from {@code keysetFile}. */
    public static ManifestAuthentication fromKeyset(Path keysetFile, boolean generateIfMissing) {
        try {
            return new ManifestAuthentication(load(keysetFile, generateIfMissing));
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot load the manifest keyset " + keysetFile + ": " + e.getMessage(), e);
        }
    }

    private static Mac load(Path file, boolean generateIfMissing) throws GeneralSecurityException, IOException {
        MacConfig.register();
        if (!Files.exists(file)) {
            if (!generateIfMissing) {
                throw new IllegalStateException("the manifest key " + file + " does not exist: put the escrowed key back "
                        + "(docs/runbook.md, scenario 3), or, on the very first start of a new installation only, set "
                        + "lifeboat.manifest.generate-if-missing=true");
            }
            KeysetHandle generated = KeysetHandle.generateNew(KeyTemplates.get(TEMPLATE));
            Path dir = file.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            Path partial = Files.createTempFile(dir, "manifest-keyset", ".new");
            try {
                Files.setPosixFilePermissions(partial, PosixFilePermissions.fromString("rw-------"));
                Files.writeString(partial, TinkJsonProtoKeysetFormat.serializeKeyset(generated, InsecureSecretKeyAccess.get()));
                // a link is created only if no key exists yet: two services starting together agree on one key
                Files.createLink(file, partial);
                LOG.infof("created manifest key %s", file);
            } catch (java.nio.file.FileAlreadyExistsException raced) {
                // the other one won: use its key
            } finally {
                Files.deleteIfExists(partial);
            }
        }
        return TinkJsonProtoKeysetFormat.parseKeyset(Files.readString(file), InsecureSecretKeyAccess.get())
                .getPrimitive(Mac.class);
    }

    /** The manifest as stored: its JSON with the MAC added. */
    public byte[] sign(BackupManifest manifest) {
        return signJson(manifest.withMac(null), manifest.backupId());
    }

    /** The manifest stored at {@code key}, if its MAC verifies. */
    public BackupManifest verify(String key, byte[] stored) throws UntrustedManifest {
        return verifyJson(key, stored, BackupManifest.class);
    }

    /**
     * Any record Lifeboat stores as JSON (a manifest, a WAL object's header, the WAL coverage), with a {@code mac}
     * field added over the rest.
     */
    public byte[] signJson(Object value, String what) {
        try {
            ObjectNode tree = JSON.valueToTree(value);
            tree.remove("mac");
            byte[] tag = mac.computeMac(JSON.writeValueAsBytes(tree));
            tree.put("mac", Base64.getEncoder().encodeToString(tag));
            return JSON.writeValueAsBytes(tree);
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot sign " + what + ": " + e.getMessage(), e);
        }
    }

    /** The record stored at {@code key} as {@code type}, if its MAC verifies. */
    public <T> T verifyJson(String key, byte[] stored, Class<T> type) throws UntrustedManifest {
        JsonNode tree;
        try {
            tree = JSON.readTree(stored);
        } catch (IOException e) {
            throw new UntrustedManifest(key, "is not valid JSON");
        }
        if (!(tree instanceof ObjectNode object) || !object.hasNonNull("mac")) {
            throw new UntrustedManifest(key, "carries no MAC");
        }
        ObjectNode unsigned = object.deepCopy();
        String tag = unsigned.remove("mac").asText();
        try {
            mac.verifyMac(Base64.getDecoder().decode(tag), JSON.writeValueAsBytes(unsigned));
            return JSON.treeToValue(object, type);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new UntrustedManifest(key, "has a MAC that does not verify with this Lifeboat's manifest key");
        } catch (IOException e) {
            throw new UntrustedManifest(key, "is not a " + type.getSimpleName());
        }
    }
}

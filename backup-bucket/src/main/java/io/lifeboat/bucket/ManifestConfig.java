package io.lifeboat.bucket;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The key that authenticates manifests ({@code lifeboat.manifest.*}); kept beside the encryption keyset. */
@ConfigMapping(prefix = "lifeboat.manifest")
public interface ManifestConfig {

    /** Tink MAC keyset (JSON). Backup- and restore-service must read the same one. */
    @WithDefault("${lifeboat.local.home:.lifeboat}/keys/manifest-keyset.json")
    String keysetFile();

    /** Create the keyset when it is missing: only on the very first start of a new installation. */
    @WithDefault("false")
    boolean generateIfMissing();
}

package io.lifeboat.postgres;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Where the secrets of protected systems may come from ({@code lifeboat.secrets.*}). */
@ConfigMapping(prefix = "lifeboat.secrets")
public interface SecretsConfig {

    /** Environment variables a {@code env:} reference may name start with this. */
    @WithDefault("LIFEBOAT_SECRET_")
    String envPrefix();

    /** Files a {@code file:} reference may name lie in this folder. */
    @WithDefault("${lifeboat.local.home:.lifeboat}/secrets")
    String folder();
}

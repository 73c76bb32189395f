package io.lifeboat.postgres;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import java.nio.file.Path;

/** The beans a service gets from this library. */
@Singleton
public class PostgresClientBeans {

    @Produces
    @Singleton
    SecretReferences secretReferences(SecretsConfig config) {
        return new SecretReferences(System.getenv(), new SecretReferences.Policy(config.envPrefix(), Path.of(config.folder())));
    }
}

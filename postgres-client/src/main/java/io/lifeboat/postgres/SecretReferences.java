package io.lifeboat.postgres;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Resolves a secret reference ({@code env:NAME} or {@code file:/path}) to its value, inside an allow-list: an
 * environment variable must carry the secrets prefix ({@code LIFEBOAT_SECRET_} by default) and a file must lie in
 * the secrets folder. So a reference can name the passwords of the systems Lifeboat protects, never the service's
 * own secrets (its database password, the S3 keys, the key sets, the token keys). Only references are stored;
 * values are read when needed and never logged or returned by an API.
 */
public final class SecretReferences {

    /** Where secrets may come from. */
    public record Policy(String envPrefix, Path folder) {
    }

    private final Map<String, String> environment;
    private final Policy policy;

    public SecretReferences(Map<String, String> environment, Policy policy) {
        this.environment = environment;
        this.policy = new Policy(policy.envPrefix(), policy.folder().toAbsolutePath().normalize());
    }

    public Policy policy() {
        return policy;
    }

    /** Why {@code ref} is not an allowed reference, or empty when it is (whether or not it is set yet). */
    public Optional<String> problem(String ref) {
        if (ref == null || ref.isBlank()) {
            return Optional.of("is required: env:" + policy.envPrefix() + "NAME or file:" + policy.folder() + "/NAME");
        }
        if (ref.startsWith("env:")) {
            String name = ref.substring(4);
            if (!name.matches("[A-Za-z_][A-Za-z0-9_]*")) {
                return Optional.of("env:" + name + " is not an environment variable name");
            }
            if (!name.startsWith(policy.envPrefix()) || name.length() == policy.envPrefix().length()) {
                return Optional.of("may only name environment variables starting with " + policy.envPrefix()
                        + " (this service's own secrets cannot be referenced)");
            }
            return Optional.empty();
        }
        if (ref.startsWith("file:")) {
            Path path = Path.of(ref.substring(5));
            if (!path.isAbsolute()) {
                return Optional.of("file: needs an absolute path inside " + policy.folder());
            }
            if (!insideFolder(path.normalize())) {
                return Optional.of("may only name files inside the secrets folder " + policy.folder());
            }
            return Optional.empty();
        }
        return Optional.of("must be env:" + policy.envPrefix() + "NAME or file:" + policy.folder() + "/NAME "
                + "(the secret itself is never stored)");
    }

    public String resolve(String ref) throws SecretUnavailable {
        Optional<String> problem = problem(ref);
        if (problem.isPresent()) {
            throw new SecretUnavailable("password reference " + (ref == null ? "(none)" : ref) + " " + problem.get());
        }
        if (ref.startsWith("env:")) {
            String value = environment.get(ref.substring(4));
            if (value == null) {
                throw new SecretUnavailable("password reference " + ref + " is not set in this service's environment");
            }
            return value;
        }
        Path path = Path.of(ref.substring(5));
        try {
            // a link inside the folder must not lead out of it
            if (!insideFolder(path.toRealPath())) {
                throw new SecretUnavailable("password reference " + ref + " leads outside the secrets folder " + policy.folder());
            }
            return Files.readString(path).strip();
        } catch (IOException e) {
            throw new SecretUnavailable("password reference " + ref + " cannot be read: " + e.getMessage());
        }
    }

    private boolean insideFolder(Path path) {
        Path folder = policy.folder();
        try {
            if (Files.exists(folder)) {
                folder = folder.toRealPath();
            }
        } catch (IOException ignored) {
            // compare with the configured path
        }
        return path.startsWith(folder) && !path.equals(folder);
    }
}

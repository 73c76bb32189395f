package io.lifeboat.stack;

import io.smallrye.jwt.build.Jwt;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The local key pair and the bearer tokens signed with it. The private key never leaves the data folder;
 * services only get the public key. People's roles nest: an admin is also an operator and a viewer. The two
 * machine roles are narrow: {@code drill} (drill-service: read, and restore copies into non-production targets)
 * and {@code alertmanager} (post alerts, nothing else). Every token is for the audience {@value #AUDIENCE}.
 */
public final class TokenIssuer {

    public static final String ISSUER = "https://lifeboat.local";
    public static final String AUDIENCE = "lifeboat";
    public static final List<String> ROLES = List.of("viewer", "operator", "admin");
    /** Machine roles and the groups their tokens carry. */
    public static final Map<String, Set<String>> MACHINE_ROLES = Map.of(
            "drill", Set.of("viewer", "drill"),
            "alertmanager", Set.of("alertmanager"));
    /** The longest a person's token lives: a leaked one expires within a working day. */
    public static final Duration MAX_TTL = Duration.ofHours(12);

    private final Path keyDir;

    public TokenIssuer(Path keyDir) {
        this.keyDir = keyDir;
    }

    public Path publicKey() {
        return keyDir.resolve("publicKey.pem");
    }

    public Path privateKey() {
        return keyDir.resolve("privateKey.pem");
    }

    /** Creates the RSA key pair on first use. */
    public void ensureKeys() {
        if (Files.exists(publicKey()) && Files.exists(privateKey())) {
            return;
        }
        try {
            Files.createDirectories(keyDir);
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            KeyPair pair = generator.generateKeyPair();
            Files.writeString(privateKey(), pem("PRIVATE KEY", pair.getPrivate().getEncoded()));
            Files.setPosixFilePermissions(privateKey(), PosixFilePermissions.fromString("rw-------"));
            Files.writeString(publicKey(), pem("PUBLIC KEY", pair.getPublic().getEncoded()));
        } catch (IOException | GeneralSecurityException e) {
            throw new StackException("cannot create the token key pair in " + keyDir + ": " + e.getMessage(), e);
        }
    }

    /** A person's token for {@code role} and every role below it, living at most {@link #MAX_TTL}. */
    public String issue(String role, String subject, Duration lifetime) {
        if (lifetime.compareTo(MAX_TTL) > 0 || lifetime.isNegative() || lifetime.isZero()) {
            throw new StackException("--ttl " + lifetime + " is not allowed: a token lives at most " + MAX_TTL
                    + " (ask for a new one when it expires)");
        }
        String wanted = role.toLowerCase(Locale.ROOT);
        int level = ROLES.indexOf(wanted);
        if (level < 0) {
            throw new StackException("unknown role '" + role + "'; use one of " + ROLES);
        }
        return sign(subject, new LinkedHashSet<>(ROLES.subList(0, level + 1)), lifetime);
    }

    /** A service's token for a machine role ({@link #MACHINE_ROLES}); it lives as long as the service's deployment. */
    public String issueMachine(String role, String subject, Duration lifetime) {
        Set<String> groups = MACHINE_ROLES.get(role);
        if (groups == null) {
            throw new StackException("unknown machine role '" + role + "'; use one of " + MACHINE_ROLES.keySet());
        }
        return sign(subject, groups, lifetime);
    }

    private String sign(String subject, Set<String> groups, Duration lifetime) {
        return Jwt.issuer(ISSUER).audience(AUDIENCE).upn(subject).subject(subject).groups(groups).expiresIn(lifetime)
                .sign(loadPrivateKey());
    }

    private PrivateKey loadPrivateKey() {
        try {
            String pem = Files.readString(privateKey()).replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
            return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(pem)));
        } catch (IOException e) {
            throw new StackException("no private key at " + privateKey() + "; run ./lifeboat up first", e);
        } catch (GeneralSecurityException e) {
            throw new StackException("unreadable private key at " + privateKey(), e);
        }
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }
}

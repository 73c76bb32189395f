package io.lifeboat.stack;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Where the local stack lives and which ports it uses; every value can be changed by an environment variable.
 * Lifeboat's own databases and the protected sample system run in two clusters ({@code pgPort}, {@code protectedPgPort}):
 * a disaster in the protected system never touches the DR system.
 */
public record StackSettings(Path repo, Path home, int kafkaPort, int kafkaControllerPort, int pgPort, int protectedPgPort, int s3Port,
                            String pgPassword, String s3AccessKey, String s3SecretKey, List<ServiceSpec> services) {

    /** One of the four services: its name, HTTP port and database. */
    public record ServiceSpec(String name, int port, String database) {
        public Path jar(Path repo) {
            return repo.resolve(name).resolve("target/quarkus-app/quarkus-run.jar");
        }

        public String url() {
            return "http://127.0.0.1:" + port;
        }
    }

    public static StackSettings fromEnvironment() {
        Map<String, String> env = System.getenv();
        Path repo = Path.of(env.getOrDefault("LIFEBOAT_REPO", ".")).toAbsolutePath().normalize();
        Path home = Path.of(env.getOrDefault("LIFEBOAT_HOME", repo.resolve(".lifeboat").toString())).toAbsolutePath().normalize();
        return new StackSettings(repo, home,
                port(env, "LIFEBOAT_KAFKA_PORT", 19092), port(env, "LIFEBOAT_KAFKA_CONTROLLER_PORT", 19093),
                port(env, "LIFEBOAT_PG_PORT", 55432), port(env, "LIFEBOAT_PROTECTED_PG_PORT", 55433),
                port(env, "LIFEBOAT_S3_PORT", 9000),
                env.getOrDefault("LIFEBOAT_PG_PASSWORD", "lifeboat"),
                env.getOrDefault("LIFEBOAT_S3_ACCESS_KEY", "lifeboat"),
                env.getOrDefault("LIFEBOAT_S3_SECRET_KEY", "lifeboat-secret"),
                List.of(new ServiceSpec("backup-service", port(env, "LIFEBOAT_BACKUP_PORT", 8081), "lifeboat_backup"),
                        new ServiceSpec("restore-service", port(env, "LIFEBOAT_RESTORE_PORT", 8082), "lifeboat_restore"),
                        new ServiceSpec("drill-service", port(env, "LIFEBOAT_DRILL_PORT", 8083), "lifeboat_drill"),
                        new ServiceSpec("incident-service", port(env, "LIFEBOAT_INCIDENT_PORT", 8084), "lifeboat_incident")));
    }

    /** A stack on free random ports in {@code home}, for tests that start the whole platform. */
    public static StackSettings ephemeral(Path repo, Path home) {
        return new StackSettings(repo, home, Ports.free(), Ports.free(), Ports.free(), Ports.free(), Ports.free(), "lifeboat-it",
                "lifeboat-it", "lifeboat-it-secret",
                List.of(new ServiceSpec("backup-service", Ports.free(), "lifeboat_backup"),
                        new ServiceSpec("restore-service", Ports.free(), "lifeboat_restore"),
                        new ServiceSpec("drill-service", Ports.free(), "lifeboat_drill"),
                        new ServiceSpec("incident-service", Ports.free(), "lifeboat_incident")));
    }

    private static int port(Map<String, String> env, String name, int fallback) {
        String value = env.get(name);
        if (value == null || value.isBlank()) {
            return fallback;
        }
        try {
            int port = Integer.parseInt(value.trim());
            if (port < 1 || port > 65535) {
                throw new NumberFormatException();
            }
            return port;
        } catch (NumberFormatException e) {
            throw new StackException(name + "=" + value + " is not a port number (1-65535)");
        }
    }

    public Path logs() {
        return home.resolve("logs");
    }

    public Path run() {
        return home.resolve("run");
    }

    public Path protectedData() {
        return home.resolve("protected");
    }

    public ServiceSpec service(String name) {
        return services.stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow();
    }
}

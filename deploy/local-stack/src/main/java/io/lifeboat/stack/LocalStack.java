package io.lifeboat.stack;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** `lifeboat up / down / status`: the real servers and the four services on 127.0.0.1, data under one folder. */
public final class LocalStack {

    /**
     * The protected sample system's password, as the services see it: a name inside the secrets allow-list
     * ({@code LIFEBOAT_SECRET_*}), so sources and targets can reference it while the services' own secrets stay
     * out of reach.
     */
    public static final String SAMPLE_PASSWORD_ENV = "LIFEBOAT_SECRET_SAMPLE_PG";

    private final StackSettings settings;
    private final PostgresServer postgres;
    private final PostgresServer protectedPostgres;
    private final KafkaServer kafka;
    private final S3ProxyServer s3;
    private final TokenIssuer tokens;
    private final PrintStream out;

    public LocalStack(StackSettings settings, Path stackHome, PrintStream out) {
        this.settings = settings;
        this.out = out;
        Path home = settings.home();
        this.postgres = new PostgresServer(home.resolve("pg"), settings.pgPort(), settings.pgPassword(),
                settings.logs().resolve("postgresql.log"), settings.run().resolve("postgresql.pid"));
        this.protectedPostgres = new PostgresServer(settings.protectedData().resolve("pg"), settings.protectedPgPort(),
                settings.pgPassword(), settings.logs().resolve("protected-postgresql.log"),
                settings.run().resolve("protected-postgresql.pid"));
        this.kafka = new KafkaServer(home.resolve("kafka"), settings.kafkaPort(), settings.kafkaControllerPort(),
                stackHome.resolve("lib"), settings.logs().resolve("kafka.log"), settings.run().resolve("kafka.pid"));
        this.s3 = new S3ProxyServer(home.resolve("s3"), settings.s3Port(), stackHome.resolve("s3proxy/s3proxy.jar"),
                settings.s3AccessKey(), settings.s3SecretKey(), settings.logs().resolve("s3proxy.log"),
                settings.run().resolve("s3proxy.pid"));
        this.tokens = new TokenIssuer(home.resolve("keys"));
    }

    public TokenIssuer tokens() {
        return tokens;
    }

    public void up() throws IOException {
        Files.createDirectories(settings.home());
        tokens.ensureKeys();
        step("PostgreSQL on 127.0.0.1:" + settings.pgPort() + " (Lifeboat's) and :" + settings.protectedPgPort()
                + " (the protected system's)", () -> {
            Files.createDirectories(settings.protectedData());
            // two clusters, started side by side: initdb of each takes seconds on first start
            java.util.concurrent.CompletableFuture<Void> other = java.util.concurrent.CompletableFuture.runAsync(() -> {
                try {
                    protectedPostgres.start(Duration.ofSeconds(60));
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            postgres.start(Duration.ofSeconds(60));
            try {
                other.join();
            } catch (java.util.concurrent.CompletionException e) {
                if (e.getCause() instanceof java.io.UncheckedIOException io) {
                    throw io.getCause();
                }
                throw e.getCause() instanceof StackException stack ? stack : new StackException(String.valueOf(e.getCause()));
            }
        });
        step("S3Proxy on " + s3.endpoint(), () -> s3.start(Duration.ofSeconds(90)));
        step("Kafka (KRaft) on " + kafka.bootstrapServers(), () -> {
            kafka.start(Duration.ofSeconds(120));
            kafka.createTopics(KafkaServer.TOPICS, 3);
        });
        step("databases and the sample protected system", () -> {
            for (StackSettings.ServiceSpec service : settings.services()) {
                postgres.createDatabase(service.database());
            }
            SampleSystem.ensureDatabase(protectedPostgres);
            SampleSystem.ensureDirectory(settings.protectedData().resolve("chroma_db"));
            Files.createDirectories(settings.home().resolve("drills")); // the drill workspace's parent
        });
        List<ServiceProcessRef> started = new ArrayList<>();
        for (StackSettings.ServiceSpec service : settings.services()) {
            ServiceProcessRef ref = startService(service);
            started.add(ref);
        }
        for (ServiceProcessRef ref : started) {
            step(ref.spec.name() + " ready at " + ref.spec.url(),
                    () -> ref.process.awaitReady(() -> "UP".equals(health(ref.spec.url() + "/q/health/ready")),
                            Duration.ofSeconds(180)));
        }
        new SampleRegistration(settings, tokens.issue("admin", "lifeboat-up", Duration.ofMinutes(10)), out).register();
    }

    private record ServiceProcessRef(StackSettings.ServiceSpec spec, ServerProcess process) {
    }

    private ServiceProcessRef startService(StackSettings.ServiceSpec spec) throws IOException {
        ServerProcess process = serviceProcess(spec);
        if (process.running().isPresent()) {
            return new ServiceProcessRef(spec, process);
        }
        if (Ports.listening(spec.port())) {
            throw new StackException("port " + spec.port() + " for " + spec.name() + " is already in use; set LIFEBOAT_"
                    + spec.name().replace("-service", "").toUpperCase() + "_PORT to another port");
        }
        launch(spec, spec.port(), process, Map.of());
        out.println("  started " + spec.name() + " (log " + process.logFile() + ")");
        return new ServiceProcessRef(spec, process);
    }

    /** Stops one service of the stack (as a crash or a redeploy would), leaving the servers and the others up. */
    public void stopService(String service) {
        serviceProcess(settings.service(service)).stop(Duration.ofSeconds(30));
    }

    /** Starts one service of the stack again with its usual configuration; returns once it is ready. */
    public void startService(String service) throws IOException {
        ServiceProcessRef ref = startService(settings.service(service));
        ref.process.awaitReady(() -> "UP".equals(health(ref.spec.url() + "/q/health/ready")), Duration.ofSeconds(180));
    }

    /**
     * Starts one more instance of a service on {@code port} against the same database, broker and bucket (how the
     * services scale out), with extra system properties; returns it once ready.
     */
    public ServerProcess startExtraInstance(String service, String name, int port, Map<String, String> properties) throws IOException {
        StackSettings.ServiceSpec spec = settings.service(service);
        ServerProcess process = new ServerProcess(name, settings.logs().resolve(name + ".log"), settings.run().resolve(name + ".pid"));
        launch(spec, port, process, properties);
        process.awaitReady(() -> "UP".equals(health("http://127.0.0.1:" + port + "/q/health/ready")), Duration.ofSeconds(180));
        return process;
    }

    private void launch(StackSettings.ServiceSpec spec, int port, ServerProcess process, Map<String, String> properties)
            throws IOException {
        Path jar = spec.jar(settings.repo());
        if (!Files.exists(jar)) {
            throw new StackException(spec.name() + " is not built (" + jar + " missing); run ./mvnw -B package -DskipTests");
        }
        List<String> command = new ArrayList<>(List.of(KafkaServer.javaBin(), "-XX:+UseSerialGC",
                "-Duser.timezone=UTC",
                "-Dquarkus.http.port=" + port,
                "-Dquarkus.http.host=127.0.0.1",
                "-Dquarkus.datasource.jdbc.url=" + postgres.jdbcUrl(spec.database()),
                "-Dquarkus.datasource.username=" + PostgresServer.SUPERUSER,
                "-Dkafka.bootstrap.servers=" + kafka.bootstrapServers(),
                "-Dlifeboat.s3.endpoint=" + s3.endpoint(),
                "-Dmp.jwt.verify.publickey.location=" + tokens.publicKey().toUri(),
                "-Dmp.jwt.verify.issuer=" + TokenIssuer.ISSUER,
                "-Dmp.jwt.verify.audiences=" + TokenIssuer.AUDIENCE));
        command.addAll(1, ServiceJvmOptions.of(spec.name()));
        for (StackSettings.ServiceSpec other : settings.services()) {
            command.add("-Dlifeboat.services." + other.name() + "=" + other.url());
        }
        command.add("-Dlifeboat.local.home=" + settings.home());
        // the local stack is a new installation on first start: it may create its own keys (nowhere else does)
        command.add("-Dlifeboat.backup.encryption.generate-if-missing=true");
        command.add("-Dlifeboat.manifest.generate-if-missing=true");
        if (spec.name().equals("backup-service")) {
            // WAL waiting for the bucket stays with this stack's data, not in a temp folder other stacks share
            command.add("-Dlifeboat.backup.wal.spool-dir=" + settings.home());
        }
        if (spec.name().equals("restore-service")) {
            SampleRegistration.declaredTargets(settings).forEach((k, v) -> command.add("-D" + k + "=" + v));
        }
        properties.forEach((k, v) -> command.add("-D" + k + "=" + v));
        command.addAll(List.of("-jar", jar.toString()));
        // secrets travel in the environment, not on the command line where `ps` shows them
        Map<String, String> env = new LinkedHashMap<>();
        env.put("QUARKUS_DATASOURCE_PASSWORD", settings.pgPassword());
        env.put("LIFEBOAT_S3_ACCESS_KEY", settings.s3AccessKey());
        env.put("LIFEBOAT_S3_SECRET_KEY", settings.s3SecretKey());
        env.put("LIFEBOAT_PG_PASSWORD", settings.pgPassword());
        env.put(SAMPLE_PASSWORD_ENV, settings.pgPassword());
        if (spec.name().equals("drill-service")) {
            // drill-service drives backup- and restore-service through their APIs with a token of its own, which
            // can read and restore copies into non-production targets, nothing more
            env.put("LIFEBOAT_SERVICES_TOKEN", tokens.issueMachine("drill", "drill-service", Duration.ofDays(365)));
        }
        process.start(command, settings.home(), env);
    }

    private ServerProcess serviceProcess(StackSettings.ServiceSpec spec) {
        return new ServerProcess(spec.name(), settings.logs().resolve(spec.name() + ".log"),
                settings.run().resolve(spec.name() + ".pid"));
    }

    /** Stops services first, then the servers; returns what was stopped. */
    public List<String> down() {
        List<String> stopped = new ArrayList<>();
        List<StackSettings.ServiceSpec> services = new ArrayList<>(settings.services());
        java.util.Collections.reverse(services);
        for (StackSettings.ServiceSpec spec : services) {
            if (serviceProcess(spec).stop(Duration.ofSeconds(20))) {
                stopped.add(spec.name());
            }
        }
        if (kafka.stop()) stopped.add("kafka");
        if (s3.stop()) stopped.add("s3proxy");
        if (postgres.stop()) stopped.add("postgresql");
        if (protectedPostgres.stop()) stopped.add("protected-postgresql");
        return stopped;
    }

    /** One line per process: name, PID, state and address. Returns true when everything is UP. */
    public boolean status() {
        boolean allUp = true;
        out.printf("%-18s %-8s %-6s %s%n", "COMPONENT", "PID", "STATE", "ADDRESS");
        allUp &= row("postgresql", postgres.process(), Ports.listening(settings.pgPort()), "127.0.0.1:" + settings.pgPort());
        allUp &= row("protected-pg", protectedPostgres.process(), Ports.listening(settings.protectedPgPort()),
                "127.0.0.1:" + settings.protectedPgPort());
        allUp &= row("kafka", kafka.process(), Ports.listening(settings.kafkaPort()), kafka.bootstrapServers());
        allUp &= row("s3proxy", s3.process(), Ports.listening(settings.s3Port()), s3.endpoint());
        for (StackSettings.ServiceSpec spec : settings.services()) {
            boolean up = "UP".equals(health(spec.url() + "/q/health/ready"));
            allUp &= row(spec.name(), serviceProcess(spec), up, spec.url());
        }
        return allUp;
    }

    private boolean row(String name, ServerProcess process, boolean healthy, String address) {
        var handle = process.running();
        String state = handle.isEmpty() ? "DOWN" : healthy ? "UP" : "NOT READY";
        out.printf("%-18s %-8s %-6s %s%n", name, handle.map(h -> Long.toString(h.pid())).orElse("-"), state, address);
        return "UP".equals(state);
    }

    /** The "status" of a Quarkus health endpoint, or null when it does not answer. */
    static String health(String url) {
        try {
            HttpResponse<String> response = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build()
                    .send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(3)).build(),
                            HttpResponse.BodyHandlers.ofString());
            var matcher = java.util.regex.Pattern.compile("\"status\"\\s*:\\s*\"(\\w+)\"").matcher(response.body());
            return matcher.find() ? matcher.group(1) : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    public void printWelcome() {
        out.println();
        out.println("Lifeboat is up. Data folder: " + settings.home());
        for (StackSettings.ServiceSpec spec : settings.services()) {
            out.printf("  %-17s %s   Swagger UI: %s/q/swagger-ui%n", spec.name(), spec.url(), spec.url());
        }
        out.println("  kafka             " + kafka.bootstrapServers());
        out.println("  postgresql        127.0.0.1:" + settings.pgPort() + " (user " + PostgresServer.SUPERUSER
                + "; Lifeboat's own databases)");
        out.println("  protected-pg      127.0.0.1:" + settings.protectedPgPort() + " (user " + PostgresServer.SUPERUSER
                + "; the protected sample database " + SampleSystem.DATABASE + ", continuous: WAL streamed to S3)");
        out.println("  s3                " + s3.endpoint() + " (S3Proxy)");
        out.println("  protected folder  " + settings.protectedData().resolve("chroma_db"));
        out.println();
        out.println("Next:");
        out.println("  ./lifeboat status");
        out.println("  export LIFEBOAT_TOKEN=$(./lifeboat token operator)");
        out.println("  curl -H \"Authorization: Bearer $LIFEBOAT_TOKEN\" " + settings.service("incident-service").url() + "/events");
        out.println("  ./lifeboat down");
    }

    private void step(String what, IoAction action) throws IOException {
        long start = System.nanoTime();
        out.print("  " + what + " ... ");
        out.flush();
        action.run();
        out.printf("ok (%.1f s)%n", (System.nanoTime() - start) / 1e9);
    }

    @FunctionalInterface
    private interface IoAction {
        void run() throws IOException;
    }
}

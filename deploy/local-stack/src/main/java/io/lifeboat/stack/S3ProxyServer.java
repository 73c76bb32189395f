package io.lifeboat.stack;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** S3Proxy with its filesystem backend: a real S3 API (SigV4, multipart) over a local folder. */
public final class S3ProxyServer {

    public static final String REGION = "us-east-1";

    private final Path dataDir;
    private final int port;
    private final Path jar;
    private final String accessKey;
    private final String secretKey;
    private final ServerProcess process;

    public S3ProxyServer(Path dataDir, int port, Path jar, String accessKey, String secretKey, Path logFile, Path pidFile) {
        this.dataDir = dataDir;
        this.port = port;
        this.jar = jar;
        this.accessKey = accessKey;
        this.secretKey = secretKey;
        this.process = new ServerProcess("s3proxy", logFile, pidFile);
    }

    public String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    public String accessKey() {
        return accessKey;
    }

    public String secretKey() {
        return secretKey;
    }

    public Path dataDir() {
        return dataDir;
    }

    public ServerProcess process() {
        return process;
    }

    public void start(Duration timeout) throws IOException {
        if (process.running().isPresent()) {
            return;
        }
        if (Ports.listening(port)) {
            throw new StackException("port " + port + " is already in use; set LIFEBOAT_S3_PORT to another port");
        }
        if (!Files.exists(jar)) {
            throw new StackException("S3Proxy jar missing at " + jar + "; build first: ./mvnw -B package -DskipTests");
        }
        Path blobs = dataDir.resolve("blobs");
        Files.createDirectories(blobs);
        Path props = dataDir.resolve("s3proxy.properties");
        Files.writeString(props, String.join("\n",
                "s3proxy.endpoint=" + endpoint(),
                "s3proxy.authorization=aws-v2-or-v4",
                "s3proxy.identity=" + accessKey,
                "s3proxy.credential=" + secretKey,
                "jclouds.provider=filesystem",
                "jclouds.filesystem.basedir=" + blobs,
                ""));
        // C2 on (no TieredStopAtLevel=1): S3Proxy hashes every stored byte (SigV4 SHA-256, MD5 ETag), which runs
        // as CPU intrinsics only in C2-compiled code
        process.start(List.of(KafkaServer.javaBin(), "-Xmx384m", "-XX:+UseSerialGC",
                "-Dlogback.configurationFile=" + writeLogback(), "-jar", jar.toString(), "--properties", props.toString()),
                dataDir, Map.of());
        process.awaitReady(this::answers403, timeout);
    }

    private Path writeLogback() throws IOException {
        Path config = dataDir.resolve("logback.xml");
        Files.writeString(config, """
                <configuration>
                  <appender name="STDOUT" class="ch.qos.logback.core.ConsoleAppender">
                    <encoder><pattern>[%d] %level %msg \\(%logger{20}\\)%n</pattern></encoder>
                  </appender>
                  <root level="warn"><appender-ref ref="STDOUT"/></root>
                  <logger name="org.gaul.s3proxy.Main" level="info"/>
                </configuration>
                """);
        return config;
    }

    public boolean stop() {
        return process.stop(Duration.ofSeconds(10));
    }

    /** S3Proxy is ready when an unsigned GET / is refused with 403. */
    private boolean answers403() {
        try {
            HttpResponse<Void> response = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build()
                    .send(HttpRequest.newBuilder(URI.create(endpoint() + "/")).timeout(Duration.ofSeconds(2)).build(),
                            HttpResponse.BodyHandlers.discarding());
            return response.statusCode() == 403;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}

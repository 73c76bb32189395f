package io.lifeboat.stack;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/** A real single-node Apache Kafka broker in KRaft mode, run from the broker jars in its own small JVM. */
public final class KafkaServer {

    /** One topic per domain plus the dead-letter topic (the names of events/Topic). */
    public static final List<String> TOPICS = List.of("lifeboat.backup", "lifeboat.restore", "lifeboat.drill",
            "lifeboat.incident", "lifeboat.dead-letter");

    private final Path dataDir;
    private final int port;
    private final int controllerPort;
    private final Path libDir;
    private final ServerProcess process;

    public KafkaServer(Path dataDir, int port, int controllerPort, Path libDir, Path logFile, Path pidFile) {
        this.dataDir = dataDir;
        this.port = port;
        this.controllerPort = controllerPort;
        this.libDir = libDir;
        this.process = new ServerProcess("kafka", logFile, pidFile);
    }

    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    public ServerProcess process() {
        return process;
    }

    public void start(Duration timeout) throws IOException {
        if (process.running().isPresent()) {
            return;
        }
        if (Ports.listening(port) || Ports.listening(controllerPort)) {
            throw new StackException("port " + port + " or " + controllerPort
                    + " is already in use; set LIFEBOAT_KAFKA_PORT to another port");
        }
        Path config = writeConfig();
        Path logs = dataDir.resolve("logs");
        if (!Files.exists(logs.resolve("meta.properties"))) {
            PostgresServer.run(java(List.of("kafka.tools.StorageTool", "format", "--cluster-id=" + clusterId(),
                    "-c", config.toString())), "kafka storage format");
        }
        process.start(java(List.of("kafka.Kafka", config.toString())), dataDir, Map.of());
        process.awaitReady(this::ready, timeout);
    }

    public boolean stop() {
        return process.stop(Duration.ofSeconds(20));
    }

    /** Creates the topics if missing (one per domain plus the dead-letter topic). */
    public void createTopics(List<String> names, int partitions) {
        try (Admin admin = admin()) {
            for (String name : names) {
                try {
                    admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1))).all().get(30, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new StackException("cannot create topic " + name + ": " + e.getCause().getMessage(), e);
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StackException("interrupted while creating topics");
        } catch (java.util.concurrent.TimeoutException e) {
            throw new StackException("Kafka did not create topics in time; see " + process.logFile());
        }
    }

    private boolean ready() {
        if (!Ports.listening(port)) {
            return false;
        }
        try (Admin admin = admin()) {
            return !admin.describeCluster().nodes().get(3, TimeUnit.SECONDS).isEmpty();
        } catch (Exception e) {
            return false;
        }
    }

    private Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 8000));
    }

    private String clusterId() throws IOException {
        Path idFile = dataDir.resolve("cluster.id");
        if (!Files.exists(idFile)) {
            // a Kafka cluster id is a base64url UUID without padding
            UUID uuid = UUID.randomUUID();
            java.nio.ByteBuffer bytes = java.nio.ByteBuffer.allocate(16);
            bytes.putLong(uuid.getMostSignificantBits()).putLong(uuid.getLeastSignificantBits());
            Files.writeString(idFile, java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(bytes.array()));
        }
        return Files.readString(idFile).trim();
    }

    private Path writeConfig() throws IOException {
        Files.createDirectories(dataDir);
        String props = String.join("\n",
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.voters=1@127.0.0.1:" + controllerPort,
                "listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort,
                "advertised.listeners=PLAINTEXT://127.0.0.1:" + port,
                "controller.listener.names=CONTROLLER",
                "inter.broker.listener.name=PLAINTEXT",
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "log.dirs=" + dataDir.resolve("logs"),
                "num.partitions=3",
                "num.network.threads=2",
                "num.io.threads=2",
                "offsets.topic.replication.factor=1",
                "offsets.topic.num.partitions=3",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "share.coordinator.state.topic.replication.factor=1",
                "share.coordinator.state.topic.min.isr=1",
                "default.replication.factor=1",
                "min.insync.replicas=1",
                "group.initial.rebalance.delay.ms=0",
                // the cleaner's dedupe buffer is allocated on the heap at start: keep it small for a 256 MiB heap
                "log.cleaner.dedupe.buffer.size=8388608",
                "auto.create.topics.enable=true",
                "");
        Path config = dataDir.resolve("server.properties");
        Files.writeString(config, props);
        Path log4j = dataDir.resolve("log4j2.properties");
        Files.writeString(log4j, String.join("\n",
                "status = warn",
                "appender.console.type = Console",
                "appender.console.name = STDOUT",
                "appender.console.layout.type = PatternLayout",
                "appender.console.layout.pattern = [%d] %p %m (%c)%n",
                "rootLogger.level = info",
                "rootLogger.appenderRef.stdout.ref = STDOUT",
                "logger.kafka.name = kafka",
                "logger.kafka.level = warn",
                "logger.org.name = org.apache.kafka",
                "logger.org.level = warn",
                "logger.started.name = kafka.server.KafkaRaftServer",
                "logger.started.level = info",
                "logger.state.name = state.change.logger",
                "logger.state.level = warn",
                ""));
        return config;
    }

    private List<String> java(List<String> mainAndArgs) {
        List<String> command = new ArrayList<>(List.of(javaBin(), "-Xmx256m", "-Xms64m", "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1", "-Djava.awt.headless=true",
                "-Dlog4j2.configurationFile=" + dataDir.resolve("log4j2.properties"),
                "-cp", libDir.resolve("*").toString()));
        command.addAll(mainAndArgs);
        return command;
    }

    static String javaBin() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** Everything currently on a topic, read from the beginning by a throwaway consumer group (for tests). */
    public List<ConsumerRecord<String, String>> readTopic(String topic, Duration wait) {
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "test-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName()))) {
            consumer.subscribe(List.of(topic));
            List<ConsumerRecord<String, String>> records = new ArrayList<>();
            long deadline = System.nanoTime() + wait.toNanos();
            while (System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(300)).forEach(records::add);
            }
            return records;
        }
    }
}

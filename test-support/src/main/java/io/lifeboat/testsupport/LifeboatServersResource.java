package io.lifeboat.testsupport;

import io.lifeboat.stack.KafkaServer;
import io.lifeboat.stack.Ports;
import io.lifeboat.stack.PostgresServer;
import io.lifeboat.stack.S3ProxyServer;
import io.lifeboat.stack.StackException;
import io.lifeboat.stack.TokenIssuer;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.util.HashMap;
import java.util.Map;

/**
 * Hands the shared real servers to a Quarkus test: its own database (init arg {@code database}), the Kafka
 * broker, S3Proxy and the JWT public key. The servers outlive each Quarkus app and stop with the JVM.
 */
public class LifeboatServersResource implements QuarkusTestResourceLifecycleManager {

    private String database = "lifeboat_test";

    @Override
    public void init(Map<String, String> initArgs) {
        database = initArgs.getOrDefault("database", database);
    }

    @Override
    public Map<String, String> start() {
        TestServers servers = TestServers.get();
        servers.postgres().createDatabase(database);
        Map<String, String> config = new HashMap<>();
        config.put("quarkus.datasource.jdbc.url", servers.postgres().jdbcUrl(database));
        config.put("quarkus.datasource.username", PostgresServer.SUPERUSER);
        config.put("quarkus.datasource.password", servers.postgres().password());
        config.put("kafka.bootstrap.servers", servers.kafka().bootstrapServers());
        config.put("lifeboat.s3.endpoint", servers.s3().endpoint());
        config.put("lifeboat.s3.access-key", servers.s3().accessKey());
        config.put("lifeboat.s3.secret-key", servers.s3().secretKey());
        config.put("mp.jwt.verify.publickey.location", servers.tokens().publicKey().toUri().toString());
        config.put("mp.jwt.verify.issuer", TokenIssuer.ISSUER);
        config.put("mp.jwt.verify.audiences", TokenIssuer.AUDIENCE);
        config.put("lifeboat.test.pg-bin", servers.postgres().binDir().toString());
        return config;
    }

    @Override
    public void stop() {
        // shared for the whole JVM: TestServers stops them at exit
    }
}

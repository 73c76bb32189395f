package io.lifeboat.restore;

import io.lifeboat.events.EventCodec;
import io.lifeboat.events.backup.BackupCompleted;
import io.lifeboat.restore.catalog.CatalogEntry;
import io.lifeboat.stack.TestServers;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import static io.lifeboat.restore.RealServers.as;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.*;

@QuarkusTest
class TargetApiTest {

    @Test
    void adminsRegisterTargetsOthersRead() {
        String body = """
                {"kind": "directory", "source": "vector-store-t", "path": "/srv/chroma_db", "production": true}""";
        as("operator").contentType(ContentType.JSON).body(body).put("/targets/chroma-t").then().statusCode(403);
        as("admin").contentType(ContentType.JSON).body(body).put("/targets/chroma-t").then().statusCode(201)
                .body("production", is(true)).body("source", is("vector-store-t"));
        as("viewer").get("/targets").then().statusCode(200).body("name", hasItem("chroma-t"));
        as("admin").contentType(ContentType.JSON).body("""
                        {"kind": "directory", "source": "vector-store-t", "path": "/srv/other"}""")
                .put("/targets/other-t").then().statusCode(400).body("errors.field", hasItem("source"));
        as("admin").contentType(ContentType.JSON).body("{\"kind\": \"directory\", \"path\": \"relative\"}")
                .put("/targets/bad-t").then().statusCode(400).body("errors.field", hasItem("path"));
        as("admin").contentType(ContentType.JSON).body("{\"kind\": \"nfs\", \"path\": \"/x\"}")
                .put("/targets/bad-t").then().statusCode(400).body("errors.field", hasItem("kind"));
        RestAssured.given().get("/targets").then().statusCode(401);
    }

    @Test
    void targetsDeclaredInConfigurationAreRegisteredAtStart() {
        as("viewer").get("/targets/declared-scratch").then().statusCode(200)
                .body("kind", is("directory")).body("path", is("/tmp/lifeboat-declared-scratch")).body("production", is(false));
    }

    @Test
    void completedBackupEventsFillTheCatalogueCache() throws Exception {
        Instant point = Instant.parse("2026-11-25T02:00:00Z");
        BackupCompleted done = new BackupCompleted("cache-src-20261125T020000Z-aaaa", "cache-src", "directory", point,
                point, point.plusSeconds(5), 100, 40, "00ff", "k/data", "k/manifest.json", "zstd", null, Map.of(), Map.of());
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, TestServers.get().kafka().bootstrapServers(),
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName(),
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName()))) {
            String json = EventCodec.toJson(EventCodec.create("/lifeboat/backup-service", "schedule", done));
            producer.send(new ProducerRecord<>("lifeboat.backup", "cache-src", json)).get();
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> io.quarkus.narayana.jta.QuarkusTransaction.requiringNew()
                .call(() -> CatalogEntry.findById(done.backupId()) != null));
    }

    @Test
    void healthIsUp() {
        RestAssured.given().get("/q/health/ready").then().statusCode(200).body("status", is("UP"));
    }
}

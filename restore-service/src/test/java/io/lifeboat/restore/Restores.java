package io.lifeboat.restore;

import io.lifeboat.events.storage.BackupManifest;
import io.lifeboat.stack.PostgresServer;
import io.lifeboat.testsupport.TestSecrets;
import io.lifeboat.testsupport.TestServers;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import software.amazon.awssdk.services.s3.S3Client;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;

import static io.lifeboat.restore.RealServers.as;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.anyOf;
import static org.hamcrest.Matchers.is;

/** Test helpers: protected databases with rows, their backups in the bucket, targets and restores over the API. */
final class Restores {

    private Restores() {
    }

    static void sql(String database, String statements) throws Exception {
        try (Connection c = TestServers.get().postgres().connect(database); Statement s = c.createStatement()) {
            s.execute(statements);
        }
    }

    static long count(String database, String query) throws Exception {
        try (Connection c = TestServers.get().postgres().connect(database); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(query)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    static boolean databaseExists(String name) throws Exception {
        return count("postgres", "SELECT count(*) FROM pg_database WHERE datname = '" + name + "'") == 1;
    }

    /** A database with {@code rows} rows in table t, and a backup of it as source {@code source}. */
    static BackupManifest databaseWithBackup(S3Client s3, String source, String database, int rows) throws Exception {
        BackupFixtures.ensureBucket(s3);
        TestServers.get().postgres().createDatabase(database);
        sql(database, "DROP TABLE IF EXISTS t; CREATE TABLE t (id int PRIMARY KEY); INSERT INTO t SELECT g FROM generate_series(1, "
                + rows + ") g");
        return BackupFixtures.postgres(s3, source, database, Instant.now().truncatedTo(ChronoUnit.MICROS), Map.of("t", (long) rows),
                null, false);
    }

    /** A postgres target on the test server whose replace touches {@code database}. */
    static void pgTarget(String name, String database, boolean production) {
        PostgresServer pg = TestServers.get().postgres();
        Path password = TestSecrets.file("restores-pg", pg.password());
        as("admin").contentType(ContentType.JSON).body("""
                {"kind": "postgres", "host": "127.0.0.1", "port": %d, "database": "%s", "user": "%s", "passwordRef": "file:%s",
                 "production": %s}""".formatted(pg.port(), database, PostgresServer.SUPERUSER, password, production))
                .put("/targets/" + name).then().statusCode(anyOf(is(200), is(201)));
    }

    static JsonPath finished(String id) {
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200)).until(() -> {
            String phase = as("viewer").get("/restores/" + id).then().extract().path("phase");
            return "Completed".equals(phase) || "Failed".equals(phase);
        });
        return as("viewer").get("/restores/" + id).then().statusCode(200).extract().jsonPath();
    }
}

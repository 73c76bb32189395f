package io.lifeboat.backup;

import io.lifeboat.testsupport.Scratch;
import com.github.luben.zstd.ZstdInputStream;
import io.lifeboat.bucket.S3Config;
import io.lifeboat.events.EventCodec;
import io.lifeboat.events.storage.BackupManifest;
import io.lifeboat.events.storage.NewestTimestamp;
import io.lifeboat.stack.PostgresServer;
import io.lifeboat.testsupport.TestSecrets;
import io.lifeboat.testsupport.TestServers;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.S3Client;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Instant;

import static io.lifeboat.backup.Backups.*;
import static org.assertj.core.api.Assertions.assertThat;

/** PostgreSQL backups with the real pg_dump against the real server. */
@QuarkusTest
class PostgresBackupTest {

    static Path passwordFile;

    @Inject
    S3Client s3;

    @Inject
    S3Config s3Config;

    @BeforeAll
    static void protectedDatabase() throws Exception {
        PostgresServer pg = TestServers.get().postgres();
        pg.createDatabase("analytics_src");
        try (Connection c = pg.connect("analytics_src"); Statement s = c.createStatement()) {
            s.execute("""
                    CREATE TABLE IF NOT EXISTS analytics (id bigserial PRIMARY KEY, "timestamp" timestamptz, question text);
                    TRUNCATE analytics;
                    INSERT INTO analytics ("timestamp", question)
                      SELECT now() - g * interval '1 minute', 'What is ' || md5(g::text) FROM generate_series(1, 2500) g;
                    CREATE TABLE IF NOT EXISTS secret (v text);
                    DO $$ BEGIN CREATE ROLE limited LOGIN PASSWORD 'limited'; EXCEPTION WHEN duplicate_object THEN NULL; END $$;
                    GRANT CONNECT ON DATABASE analytics_src TO limited;
                    GRANT SELECT ON analytics TO limited;
                    REVOKE ALL ON secret FROM limited;
                    """);
        }
        passwordFile = TestSecrets.file("pg-password", pg.password());
    }

    private static String source(String database, String user, Path password, String extra) {
        return "{\"kind\": \"postgres\", \"host\": \"127.0.0.1\", \"port\": " + TestServers.get().postgres().port()
                + ", \"database\": \"" + database + "\", \"user\": \"" + user + "\", \"passwordRef\": \"file:" + password + "\""
                + extra + "}";
    }

    @Test
    void dumpIsStreamedWithTheSnapshotRecoveryPointAndRowCounts() throws Exception {
        putSource("analytics-db-t", source("analytics_src", "lifeboat", passwordFile, ", \"rowCountTables\": [\"analytics\"]"));
        Instant requested = Instant.now();
        String id = start("analytics-db-t");
        JsonPath b = finished(id);
        assertThat(b.getString("phase")).as(b.prettify()).isEqualTo("Completed");
        Instant point = Instant.parse(b.getString("recoveryPointAt"));
        assertThat(point).isAfterOrEqualTo(requested.minusSeconds(1)).isBeforeOrEqualTo(Instant.parse(b.getString("completedAt")));

        byte[] manifestJson = s3.getObjectAsBytes(r -> r.bucket(s3Config.bucket()).key(b.getString("manifestKey"))).asByteArray();
        BackupManifest manifest = EventCodec.mapper().readValue(manifestJson, BackupManifest.class);
        assertThat(manifest.rowCounts()).containsEntry("analytics", 2500L);
        try (Connection c = TestServers.get().postgres().connect("analytics_src"); Statement s = c.createStatement()) {
            s.execute("SET TIME ZONE 'UTC'");
            var rs = s.executeQuery("SELECT max(\"timestamp\")::text FROM analytics");
            rs.next();
            assertThat(manifest.newestTimestamps()).containsEntry("analytics", new NewestTimestamp("timestamp", rs.getString(1)));
        }
        assertThat(manifest.toolVersions().get("pg_dump")).startsWith("15");
        assertThat(manifest.toolVersions()).containsKey("server");
        assertThat(manifest.roles()).as("the roles the database needs, read beside the dump").contains("CREATE ROLE limited");
        assertThat(manifest.database()).isEqualTo("analytics_src");
        assertThat(new String(manifestJson, StandardCharsets.UTF_8)).doesNotContain(TestServers.get().postgres().password());

        // the stored object is a zstd-compressed custom-format dump that pg_restore can read
        byte[] stored = s3.getObjectAsBytes(r -> r.bucket(s3Config.bucket()).key(b.getString("objectKey"))).asByteArray();
        Path dump = Scratch.file("dump", ".pgdump");
        try (var in = new ZstdInputStream(new ByteArrayInputStream(stored))) {
            Files.write(dump, in.readAllBytes());
        }
        assertThat(new String(Files.readAllBytes(dump), 0, 5, StandardCharsets.US_ASCII)).isEqualTo("PGDMP");
        assertThat(Files.size(dump)).isEqualTo(b.getLong("sizeBytes"));
        Process list = new ProcessBuilder(TestServers.get().postgres().binDir().resolve("pg_restore").toString(), "--list",
                dump.toString()).redirectErrorStream(true).start();
        String toc = new String(list.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(list.waitFor()).as(toc).isZero();
        assertThat(toc).contains("TABLE DATA public analytics");
    }

    @Test
    void aMissingDatabaseFailsClearlyAndLeavesNothingInTheBucket() {
        putSource("missing-db-t", source("no_such_db", "lifeboat", passwordFile, ""));
        JsonPath b = finished(start("missing-db-t"));
        assertThat(b.getString("phase")).isEqualTo("Failed");
        assertThat(b.getString("failedStep")).isEqualTo("snapshot");
        assertThat(b.getString("error")).contains("no_such_db");
        assertThat(s3.listObjectsV2(r -> r.bucket(s3Config.bucket()).prefix("backups/missing-db-t/")).contents()).isEmpty();
    }

    @Test
    void pgDumpsOwnErrorIsReportedAndTheUploadIsAborted() throws Exception {
        Path limitedPassword = TestSecrets.file("limited", "limited");
        putSource("limited-db-t", source("analytics_src", "limited", limitedPassword, ""));
        JsonPath b = finished(start("limited-db-t"));
        assertThat(b.getString("phase")).isEqualTo("Failed");
        assertThat(b.getString("failedStep")).isEqualTo("dump");
        assertThat(b.getString("error")).contains("pg_dump").contains("permission denied");
        assertThat(s3.listObjectsV2(r -> r.bucket(s3Config.bucket()).prefix("backups/limited-db-t/")).contents()).isEmpty();
        assertThat(s3.listMultipartUploads(r -> r.bucket(s3Config.bucket()).prefix("backups/limited-db-t/")).uploads()).isEmpty();
    }

    @Test
    void aWrongPasswordFailsWithoutLeakingIt() throws Exception {
        Path wrong = TestSecrets.file("wrong", "not-the-password");
        putSource("wrong-pw-t", source("analytics_src", "lifeboat", wrong, ""));
        JsonPath b = finished(start("wrong-pw-t"));
        assertThat(b.getString("phase")).isEqualTo("Failed");
        assertThat(b.getString("error")).contains("password authentication failed").doesNotContain("not-the-password");
    }
}

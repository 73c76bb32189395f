package io.lifeboat.restore;

import io.lifeboat.testsupport.Scratch;
import io.lifeboat.events.storage.BackupManifest;
import io.lifeboat.stack.Ports;
import io.lifeboat.stack.PostgresServer;
import io.lifeboat.testsupport.TestSecrets;
import io.lifeboat.testsupport.TestServers;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.S3Client;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;

import static io.lifeboat.restore.RealServers.as;
import static io.lifeboat.restore.Restores.finished;
import static io.lifeboat.restore.Restores.sql;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runbook scenario 3 for a database whose objects belong to an application role: restored into a brand-new
 * PostgreSQL cluster, which has none of its roles, the roles recorded in the backup are created first (without
 * passwords, without superuser rights) and every object keeps its owner.
 */
@QuarkusTest
class RestoreIntoABrandNewClusterTest {

    @Inject
    S3Client s3;

    private static String one(Connection c, String query) throws Exception {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(query)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    @Test
    void theRolesADatabaseNeedsAreCreatedBeforeItsObjects() throws Exception {
        PostgresServer pg = TestServers.get().postgres();
        pg.createDatabase("postgres");
        sql("postgres", """
                DO $$ BEGIN CREATE ROLE shop_owner LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$;
                DO $$ BEGIN CREATE ROLE shop_reader NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$;""");
        pg.createDatabase("shop_owned");
        sql("postgres", "ALTER DATABASE shop_owned OWNER TO shop_owner");
        sql("shop_owned", """
                DROP TABLE IF EXISTS orders;
                CREATE TABLE orders (id int PRIMARY KEY, total numeric);
                INSERT INTO orders SELECT g, g * 1.5 FROM generate_series(1, 50) g;
                ALTER TABLE orders OWNER TO shop_owner;
                GRANT SELECT ON orders TO shop_reader;""");
        BackupFixtures.ensureBucket(s3);
        BackupManifest m = BackupFixtures.postgres(s3, "shop-owned", "shop_owned", Instant.now().truncatedTo(ChronoUnit.MICROS),
                Map.of("orders", 50L), null, false);
        assertThat(m.roles()).contains("CREATE ROLE shop_owner;").contains("CREATE ROLE shop_reader;").doesNotContain("PASSWORD");

        Path home = Scratch.directory("fresh-cluster");
        Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwxr-xr-x"));
        PostgresServer fresh = new PostgresServer(home.resolve("pg"), Ports.free(), "fresh-cluster-pw",
                home.resolve("postgresql.log"), home.resolve("postgresql.pid"));
        fresh.start(Duration.ofSeconds(90));
        try {
            Path password = TestSecrets.file("fresh-cluster", "fresh-cluster-pw");
            as("admin").contentType(ContentType.JSON).body("""
                    {"kind": "postgres", "host": "127.0.0.1", "port": %d, "database": "shop_owned", "user": "%s",
                     "passwordRef": "file:%s", "production": true}""".formatted(fresh.port(), PostgresServer.SUPERUSER, password))
                    .put("/targets/fresh-cluster").then().statusCode(201);
            String id = as("admin").contentType(ContentType.JSON).body("""
                    {"source": "shop-owned", "target": "fresh-cluster", "mode": "replace", "confirm": "fresh-cluster"}""")
                    .post("/restores").then().statusCode(202).extract().path("id");
            JsonPath r = finished(id);
            assertThat(r.getString("phase")).as(r.prettify()).isEqualTo("Completed");
            assertThat(r.getString("steps.find { it.name == 'create-roles' }.detail")).contains("shop_owner").contains("shop_reader");
            try (Connection c = fresh.connect("shop_owned")) {
                assertThat(one(c, "SELECT count(*) FROM orders")).isEqualTo("50");
                assertThat(one(c, "SELECT tableowner FROM pg_tables WHERE tablename = 'orders'")).isEqualTo("shop_owner");
                assertThat(one(c, "SELECT has_table_privilege('shop_reader', 'orders', 'SELECT')::text")).isEqualTo("true");
                assertThat(one(c, "SELECT rolsuper::text FROM pg_roles WHERE rolname = 'shop_owner'")).isEqualTo("false");
            }
        } finally {
            fresh.stop();
        }
    }
}

package io.lifeboat.backup;

import io.lifeboat.stack.PostgresServer;
import io.lifeboat.testsupport.TestSecrets;
import io.lifeboat.testsupport.TestServers;
import io.restassured.path.json.JsonPath;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;

import static io.lifeboat.backup.RealServers.as;

/** The protected PostgreSQL cluster of continuous-source tests, and the continuous sources declared on it. */
final class ProtectedCluster {

    private ProtectedCluster() {
    }

    static PostgresServer pg() {
        return TestServers.get().protectedPostgres();
    }

    /** A continuous source for {@code database} on the server at {@code port} (the protected cluster or a copy). */
    static String continuousSource(String database, int port) {
        String password = TestSecrets.file("protected-pg-password", pg().password()).toString();
        return "{\"kind\": \"postgres\", \"host\": \"127.0.0.1\", \"port\": " + port + ", \"database\": \"" + database
                + "\", \"user\": \"lifeboat\", \"passwordRef\": \"file:" + password + "\", \"continuous\": true, "
                + "\"schedule\": \"0 2 * * *\", \"rpoTarget\": \"PT30S\", \"retention\": {\"keepLast\": 10}}";
    }

    static JsonPath wal(String source) {
        return as("viewer").get("/sources/" + source + "/wal").then().statusCode(200).extract().jsonPath();
    }

    static Instant restorableUntil(String source) {
        String until = wal(source).getString("restorableUntil");
        return until == null ? null : Instant.parse(until);
    }

    /** Inserts a row into {@code table} of {@code database} on the server at {@code port}; the row's commit time. */
    static Instant insert(int port, String database, String table, String note) throws Exception {
        try (Connection c = java.sql.DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/" + database,
                PostgresServer.SUPERUSER, pg().password()); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("INSERT INTO " + table + " (note) VALUES ('" + note + "') RETURNING clock_timestamp()")) {
            rs.next();
            return rs.getTimestamp(1).toInstant();
        }
    }
}

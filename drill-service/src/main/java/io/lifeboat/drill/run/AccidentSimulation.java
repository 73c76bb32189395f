package io.lifeboat.drill.run;

import com.fasterxml.jackson.databind.JsonNode;
import io.lifeboat.postgres.PostgresEndpoint;
import io.lifeboat.postgres.SecretReferences;
import io.lifeboat.postgres.SecretUnavailable;
import jakarta.enterprise.context.ApplicationScoped;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

import static io.lifeboat.postgres.Identifiers.quote;

/**
 * The point-in-time drill's accident, staged on the continuous source itself in a table of the drill's own (the
 * source's data is never touched): rows written, an instant T noted on the source's clock, more rows written, the
 * table dropped. A restore to T must give back exactly the first rows.
 */
@ApplicationScoped
class AccidentSimulation {

    static final int BEFORE = 200;
    static final int AFTER = 50;

    private final SecretReferences secrets;

    AccidentSimulation(SecretReferences secrets) {
        this.secrets = secrets;
    }

    /** What was staged: the table, the instant T, what the table held at T, and when it was dropped. */
    record Accident(String source, String table, Instant pointInTime, long rowsAtPoint, String newestAtPoint, Instant droppedAt) {
    }

    Accident stage(String source, JsonNode definition, String drillId) throws DrillFailure {
        if (!definition.path("continuous").asBoolean()) {
            throw new DrillFailure("source " + source + " is not continuous: a point-in-time drill needs its WAL streamed "
                    + "(PUT /sources/" + source + " with \"continuous\": true)");
        }
        String table = ("lifeboat_drill_" + drillId.replaceAll("[^a-z0-9]", "_")).substring(0, Math.min(63, 15 + drillId.length()));
        String password;
        try {
            password = secrets.resolve(definition.path("passwordRef").asText(null));
        } catch (SecretUnavailable e) {
            throw new DrillFailure(e.getMessage());
        }
        try (Connection c = new PostgresEndpoint(definition.path("host").asText(), definition.path("port").asInt(),
                definition.path("user").asText()).connect(definition.path("database").asText(), password);
             Statement s = c.createStatement()) {
            s.execute("CREATE TABLE " + quote(table) + " (id serial PRIMARY KEY, at timestamptz NOT NULL DEFAULT clock_timestamp(), "
                    + "phase text NOT NULL)");
            s.execute("INSERT INTO " + quote(table) + " (phase) SELECT 'before' FROM generate_series(1, " + BEFORE + ")");
            Instant point = now(s);
            String newest = newest(s, table);
            sleep(); // commits after T carry later timestamps
            s.execute("INSERT INTO " + quote(table) + " (phase) SELECT 'after' FROM generate_series(1, " + AFTER + ")");
            s.execute("DROP TABLE " + quote(table));
            return new Accident(source, table, point, BEFORE, newest, now(s));
        } catch (SQLException e) {
            throw new DrillFailure("cannot stage the accident on " + definition.path("database").asText() + ": " + e.getMessage());
        }
    }

    private static Instant now(Statement s) throws SQLException {
        try (ResultSet rs = s.executeQuery("SELECT clock_timestamp()")) {
            rs.next();
            return rs.getTimestamp(1).toInstant().truncatedTo(ChronoUnit.MICROS);
        }
    }

    /** The newest row's time as text in UTC, as a restored copy's is read for the comparison. */
    private static String newest(Statement s, String table) throws SQLException {
        s.execute("SET TIME ZONE 'UTC'");
        try (ResultSet rs = s.executeQuery("SELECT max(at)::text FROM " + quote(table))) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static void sleep() {
        try {
            Thread.sleep(300);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

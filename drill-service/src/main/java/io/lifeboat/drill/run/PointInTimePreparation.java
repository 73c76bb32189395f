package io.lifeboat.drill.run;

import com.fasterxml.jackson.databind.JsonNode;
import io.lifeboat.drill.client.ServiceClient;
import io.lifeboat.drill.config.DrillConfig;
import io.lifeboat.events.storage.NewestTimestamp;
import io.lifeboat.postgres.PostgresEndpoint;
import io.lifeboat.postgres.SecretReferences;
import io.lifeboat.postgres.SecretUnavailable;
import io.lifeboat.postgres.TableContents;
import jakarta.enterprise.context.ApplicationScoped;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * "Identify the latest backup" for a continuous source: what an incident at the drill's start would restore is the
 * database as it was then. Production's row counts and newest rows are read in a snapshot whose start is that
 * instant; the drill waits until the bucket's WAL reaches it and then restores exactly to it. The RPO basis is
 * the WAL that was restorable when the drill started.
 */
@ApplicationScoped
class PointInTimePreparation {

    private final ServiceClient services;
    private final DrillConfig config;
    private final SecretReferences secrets;

    PointInTimePreparation(ServiceClient services, DrillConfig config, SecretReferences secrets) {
        this.services = services;
        this.config = config;
        this.secrets = secrets;
    }

    Prepared prepare(String source, JsonNode definition, Instant drillStart) throws DrillFailure {
        JsonNode wal = restorableWal(source, drillStart);
        Instant basis = basisAt(wal, drillStart);
        State state = productionState(definition);
        awaitWal(source, state.at(), basis);
        long baseBytes = services.backup("GET", "/sources/" + source + "/recovery-point", null).path("storedBytes").asLong();
        Map<String, NewestTimestamp> newest = new LinkedHashMap<>();
        state.contents().newest().forEach((table, n) -> newest.put(table, new NewestTimestamp(n.column(), n.value())));
        return new Prepared(source, "postgres", null, state.at(), baseBytes, state.contents().rowCounts(), newest, -1, -1,
                definition.path("database").asText(null), "WAL up to " + wal.path("segment").asText(), basis, state.at());
    }

    /**
     * The point-in-time drill: restore to the instant T its staged accident noted; what the drill's table held at T
     * is what verify compares (the rows written after T, and the drop, must not be there).
     */
    Prepared prepareAccident(AccidentSimulation.Accident accident, JsonNode definition, Instant drillStart) throws DrillFailure {
        JsonNode wal = restorableWal(accident.source(), drillStart);
        Instant basis = basisAt(wal, drillStart);
        awaitWal(accident.source(), accident.droppedAt(), basis); // the bucket holds the accident itself too
        long baseBytes = services.backup("GET", "/sources/" + accident.source() + "/recovery-point", null).path("storedBytes").asLong();
        return new Prepared(accident.source(), "postgres", null, accident.pointInTime(), baseBytes,
                Map.of(accident.table(), accident.rowsAtPoint()),
                Map.of(accident.table(), new NewestTimestamp("at", accident.newestAtPoint())), -1, -1,
                definition.path("database").asText(null), "WAL up to " + wal.path("segment").asText(), basis, accident.pointInTime());
    }

    /**
     * The restorable point the RPO is measured on. It is read just after the drill started, so a flush in between
     * can put it past the start: the WAL then reached the start within one flush interval, and the basis is the
     * start itself (never a point after it, which would make the RPO negative).
     */
    private static Instant basisAt(JsonNode wal, Instant drillStart) {
        Instant until = Instant.parse(wal.path("restorableUntil").asText());
        return until.isAfter(drillStart) ? drillStart : until;
    }

    private JsonNode restorableWal(String source, Instant drillStart) throws DrillFailure {
        JsonNode wal = services.backup("GET", "/sources/" + source + "/wal", null);
        if (wal.path("restorableUntil").asText(null) == null) {
            throw new DrillFailure("source " + source + " had no restorable WAL when the drill started (" + drillStart + ", stream "
                    + wal.path("state").asText() + "): an incident then would have had nothing to restore to");
        }
        return wal;
    }

    /** Waits until the bucket's WAL of {@code source} reaches {@code instant}. */
    private void awaitWal(String source, Instant instant, Instant reachedNow) throws DrillFailure {
        Instant deadline = Instant.now().plus(config.operationTimeout());
        Instant reached = reachedNow;
        while (reached.isBefore(instant)) {
            if (Instant.now().isAfter(deadline)) {
                throw new DrillFailure("the WAL of " + source + " in the bucket did not reach " + instant + " within "
                        + config.operationTimeout() + " (it reaches " + reached + ")");
            }
            sleep();
            String until = services.backup("GET", "/sources/" + source + "/wal", null).path("restorableUntil").asText(null);
            reached = until == null ? reached : Instant.parse(until);
        }
    }

    private record State(Instant at, TableContents contents) {
    }

    /** Production's tables in a repeatable-read snapshot, and the instant that snapshot shows (its start). */
    private State productionState(JsonNode d) throws DrillFailure {
        List<String> tables = new ArrayList<>();
        d.path("rowCountTables").forEach(t -> tables.add(t.asText()));
        String password;
        try {
            password = secrets.resolve(d.path("passwordRef").asText(null));
        } catch (SecretUnavailable e) {
            throw new DrillFailure(e.getMessage());
        }
        try (Connection c = new PostgresEndpoint(d.path("host").asText(), d.path("port").asInt(), d.path("user").asText())
                .connect(d.path("database").asText(), password)) {
            c.setAutoCommit(false);
            c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            c.setReadOnly(true);
            Instant at;
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT transaction_timestamp()")) {
                rs.next();
                at = rs.getTimestamp(1).toInstant().truncatedTo(ChronoUnit.MICROS);
            }
            TableContents contents = TableContents.read(c, tables);
            c.rollback();
            return new State(at, contents);
        } catch (SQLException e) {
            throw new DrillFailure("cannot read the production state of " + d.path("database").asText() + ": " + e.getMessage());
        }
    }

    private static void sleep() {
        try {
            Thread.sleep(Duration.ofMillis(500).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

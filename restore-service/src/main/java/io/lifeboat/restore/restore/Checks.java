package io.lifeboat.restore.restore;

import io.lifeboat.events.restore.CheckResult;
import io.lifeboat.events.storage.BackupManifest;
import io.lifeboat.events.storage.NewestTimestamp;
import io.lifeboat.postgres.Identifiers;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Runs post-restore checks: the row counts and newest timestamps the backup recorded, requested SQL checks, HTTP
 * smoke tests.
 */
final class Checks {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private Checks() {
    }

    /**
     * Every table of the recovered database has exactly as many rows in the restored one (a point-in-time restore:
     * the recovery server's database is what the instant held).
     */
    static List<CheckResult> sameRows(Connection recovered, Connection restored) throws SQLException {
        List<String> tables = new ArrayList<>();
        try (Statement s = recovered.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT format('%I.%I', n.nspname, c.relname) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                        + "WHERE c.relkind IN ('r', 'p') AND n.nspname !~ '^pg_' AND n.nspname <> 'information_schema' ORDER BY 1")) {
            while (rs.next()) {
                tables.add(rs.getString(1));
            }
        }
        List<CheckResult> results = new ArrayList<>();
        for (String table : tables) {
            long expected = count(recovered, table);
            long actual = count(restored, table);
            results.add(new CheckResult("row-count " + table, actual == expected, actual + " rows, " + expected
                    + " at the recovery target"));
        }
        return results;
    }

    private static long count(Connection c, String qualifiedTable) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM " + qualifiedTable)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    static List<CheckResult> sql(Connection restored, BackupManifest manifest, List<CheckSpec> requested) {
        List<CheckResult> results = new ArrayList<>();
        Map<String, Long> recorded = manifest.rowCounts() == null ? Map.of() : manifest.rowCounts();
        for (var entry : recorded.entrySet()) {
            results.add(rowCount(restored, entry.getKey(), entry.getValue(), true, "exactly as the backup recorded"));
        }
        if (manifest.newestTimestamps() != null) {
            manifest.newestTimestamps().forEach((table, newest) -> results.add(newestTimestamp(restored, table, newest)));
        }
        for (CheckSpec spec : requested) {
            switch (spec.type()) {
                case ROW_COUNT -> {
                    Long expected = spec.min() != null ? spec.min() : recorded.get(spec.table());
                    if (expected == null) {
                        results.add(new CheckResult("row-count " + spec.table(), false,
                                "no min given and the backup recorded no count for " + spec.table()));
                    } else {
                        results.add(rowCount(restored, spec.table(), expected, spec.min() == null, spec.min() != null
                                ? "at least " + expected : "exactly as the backup recorded"));
                    }
                }
                case MAX_TIMESTAMP -> results.add(maxTimestamp(restored, spec, manifest.recoveryPointAt()));
                case HTTP -> results.add(http(spec));
            }
        }
        return results;
    }

    static List<CheckResult> directory(DirectoryRestorer.Extracted extracted, BackupManifest manifest, List<CheckSpec> requested) {
        List<CheckResult> results = new ArrayList<>();
        String restored = extracted.files() + " files (" + extracted.bytes() + " bytes), " + extracted.directories()
                + " folders, " + extracted.symlinks() + " symlinks restored";
        if (manifest.fileCount() == null || manifest.fileBytes() == null) {
            results.add(new CheckResult("files", false, restored + "; the manifest records no file count to compare with"));
        } else {
            boolean exact = extracted.files() == manifest.fileCount() && extracted.bytes() == manifest.fileBytes();
            results.add(new CheckResult("files", exact, restored + (exact ? ", exactly" : ", but") + " the backup recorded "
                    + manifest.fileCount() + " files (" + manifest.fileBytes() + " bytes)"));
        }
        for (CheckSpec spec : requested) {
            if (spec.type() == CheckSpec.Type.HTTP) {
                results.add(http(spec));
            }
        }
        return results;
    }

    /** {@code exact}: the count the backup recorded must come back exactly; otherwise at least {@code expected}. */
    private static CheckResult rowCount(Connection c, String table, long expected, boolean exact, String why) {
        String name = "row-count " + table;
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM " + Identifiers.quoteQualified(table))) {
            rs.next();
            long actual = rs.getLong(1);
            boolean ok = exact ? actual == expected : actual >= expected;
            return new CheckResult(name, ok, actual + " rows, expected " + why + " " + expected);
        } catch (SQLException e) {
            return new CheckResult(name, false, e.getMessage());
        }
    }

    /** The restored table ends where the backup's snapshot did: the same newest timestamp, printed the same way. */
    private static CheckResult newestTimestamp(Connection c, String table, NewestTimestamp recorded) {
        String name = "newest-timestamp " + table + "." + recorded.column();
        try (Statement s = c.createStatement()) {
            s.execute("SET TIME ZONE 'UTC'");
            try (ResultSet rs = s.executeQuery("SELECT max(" + Identifiers.quote(recorded.column()) + ")::text FROM "
                    + Identifiers.quoteQualified(table))) {
                rs.next();
                String actual = rs.getString(1);
                boolean ok = java.util.Objects.equals(actual, recorded.value());
                return new CheckResult(name, ok, "newest " + actual + (ok ? ", as" : ", but") + " the backup recorded "
                        + recorded.value());
            }
        } catch (SQLException e) {
            return new CheckResult(name, false, e.getMessage());
        }
    }

    private static CheckResult maxTimestamp(Connection c, CheckSpec spec, Instant recoveryPoint) {
        String name = "max-timestamp " + spec.table() + "." + spec.column();
        Duration tolerance = spec.tolerance() == null ? Duration.ofHours(1) : spec.tolerance();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT max(" + Identifiers.quote(spec.column())
                + ") FROM " + Identifiers.quoteQualified(spec.table()))) {
            rs.next();
            Timestamp newest = rs.getTimestamp(1);
            if (newest == null) {
                return new CheckResult(name, false, "the table is empty");
            }
            Instant floor = recoveryPoint.minus(tolerance);
            boolean ok = !newest.toInstant().isBefore(floor);
            return new CheckResult(name, ok, "newest " + newest.toInstant() + (ok ? " is not older than " : " is older than ")
                    + floor + " (recovery point " + recoveryPoint + " - " + tolerance + ")");
        } catch (SQLException e) {
            return new CheckResult(name, false, e.getMessage());
        }
    }

    private static CheckResult http(CheckSpec spec) {
        String name = "http " + spec.url();
        int expected = spec.status() == null ? 200 : spec.status();
        try {
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(spec.url()))
                    .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
            boolean statusOk = response.statusCode() == expected;
            boolean textOk = spec.contains() == null || response.body().contains(spec.contains());
            return new CheckResult(name, statusOk && textOk, "status " + response.statusCode() + " (expected " + expected + ")"
                    + (spec.contains() == null ? "" : textOk ? ", contains \"" + spec.contains() + "\"" : ", does not contain \"" + spec.contains() + "\""));
        } catch (IOException | IllegalArgumentException e) {
            return new CheckResult(name, false, "no answer: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new CheckResult(name, false, "interrupted");
        }
    }

}

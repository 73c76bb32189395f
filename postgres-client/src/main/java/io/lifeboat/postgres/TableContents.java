package io.lifeboat.postgres;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

import static io.lifeboat.postgres.Identifiers.quote;
import static io.lifeboat.postgres.Identifiers.quoteQualified;

/**
 * What a set of tables holds, as a backup records it and a restore or a drill compares it: the row count of each
 * table and its newest timestamp (in UTC text). Read on the caller's connection, so inside its snapshot.
 */
public record TableContents(Map<String, Long> rowCounts, Map<String, Newest> newest) {

    /** The newest value of the column that dates a table's rows. */
    public record Newest(String column, String value) {
    }

    public static TableContents read(Connection c, Collection<String> tables) throws SQLException {
        Map<String, Long> counts = new LinkedHashMap<>();
        Map<String, Newest> newest = new LinkedHashMap<>();
        try (Statement s = c.createStatement()) {
            s.execute(c.getAutoCommit() ? "SET TIME ZONE 'UTC'" : "SET LOCAL TIME ZONE 'UTC'");
        }
        for (String table : tables) {
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM " + quoteQualified(table))) {
                rs.next();
                counts.put(table, rs.getLong(1));
            }
            String column = timestampColumn(c, table);
            if (column != null) {
                try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                        "SELECT max(" + quote(column) + ")::text FROM " + quoteQualified(table))) {
                    rs.next();
                    newest.put(table, new Newest(column, rs.getString(1)));
                }
            }
        }
        return new TableContents(counts, newest);
    }

    /**
     * The column that dates a table's rows: one named {@code timestamp} (the runbook's tables), else
     * {@code created_at}, else the table's first timestamp or date column; null when it has none.
     */
    public static String timestampColumn(Connection c, String table) throws SQLException {
        String sql = "SELECT a.attname FROM pg_attribute a WHERE a.attrelid = ?::regclass AND a.attnum > 0 "
                + "AND NOT a.attisdropped AND a.atttypid IN ('timestamp'::regtype, 'timestamptz'::regtype, 'date'::regtype) "
                + "ORDER BY (a.attname = 'timestamp') DESC, (a.attname = 'created_at') DESC, a.attnum LIMIT 1";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, quoteQualified(table));
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }
}

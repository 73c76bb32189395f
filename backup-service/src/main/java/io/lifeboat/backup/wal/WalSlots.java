package io.lifeboat.backup.wal;

import io.lifeboat.bucket.wal.Lsn;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;

/**
 * The physical replication slot Lifeboat holds on a continuous source: the server keeps every WAL segment from the
 * slot's {@code restart_lsn} on, and the slot advances only as far as the WAL stored in the bucket. Created before
 * the first base backup, so the WAL that backup needs is kept even before streaming starts; dropped when the
 * source stops being continuous (a forgotten slot fills the server's disk).
 */
public final class WalSlots {

    private WalSlots() {
    }

    /** {@code lifeboat_<source>} with '-' as '_', within PostgreSQL's 63 characters. */
    public static String slotName(String source) {
        String name = "lifeboat_" + source.replace('-', '_');
        if (name.length() <= 63) {
            return name;
        }
        return name.substring(0, 54) + "_" + String.format("%08x", source.hashCode());
    }

    /** Creates the slot when missing (reserving WAL at once); returns its restart position. */
    public static long ensure(Connection sql, String slot) throws SQLException {
        Optional<Long> existing = restartLsn(sql, slot);
        if (existing.isPresent()) {
            return existing.get();
        }
        try (PreparedStatement s = sql.prepareStatement("SELECT pg_create_physical_replication_slot(?, true)")) {
            s.setString(1, slot);
            s.execute();
        } catch (SQLException e) {
            if (!"42710".equals(e.getSQLState())) { // created meanwhile by another instance
                throw e;
            }
        }
        return restartLsn(sql, slot).orElseThrow(() -> new SQLException("replication slot " + slot + " vanished"));
    }

    static Optional<Long> restartLsn(Connection sql, String slot) throws SQLException {
        try (PreparedStatement s = sql.prepareStatement("SELECT restart_lsn::text FROM pg_replication_slots WHERE slot_name = ?")) {
            s.setString(1, slot);
            try (ResultSet rs = s.executeQuery()) {
                if (!rs.next()) return Optional.empty();
                return Optional.ofNullable(rs.getString(1)).map(Lsn::parse);
            }
        }
    }

    /** Drops the slot, ending the walsender that holds it first. Returns whether there was one. */
    public static boolean drop(Connection sql, String slot) throws SQLException {
        try (PreparedStatement s = sql.prepareStatement(
                "SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE slot_name = ? AND active_pid IS NOT NULL")) {
            s.setString(1, slot);
            s.execute();
        }
        for (int attempt = 0; attempt < 50; attempt++) {
            try (PreparedStatement s = sql.prepareStatement("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots "
                    + "WHERE slot_name = ? AND NOT active")) {
                s.setString(1, slot);
                try (ResultSet rs = s.executeQuery()) {
                    if (rs.next()) return true;
                }
            }
            if (restartLsn(sql, slot).isEmpty()) {
                return false;
            }
            try {
                Thread.sleep(100); // the terminated walsender releases the slot
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        throw new SQLException("replication slot " + slot + " is still in use; drop it by hand: SELECT pg_drop_replication_slot('" + slot + "')");
    }
}

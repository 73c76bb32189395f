package io.lifeboat.events.storage;

/**
 * The newest value of a table's timestamp column inside a backup's snapshot, as PostgreSQL prints it with the
 * session's TimeZone set to UTC ({@code SELECT max(column)::text}), so a restore or a drill proves the restored
 * table ends where the backup did by reading the same text from the restored database. {@code value} is null
 * when the table was empty.
 */
public record NewestTimestamp(String column, String value) {
}

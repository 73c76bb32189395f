package io.lifeboat.restore.restore;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.PositiveOrZero;

import java.time.Duration;

/**
 * A post-restore check (the runbook's "Verify Data Integrity" and "Run Smoke Tests"):
 * {@code row-count} (table has at least {@code min} rows, or the count the backup recorded),
 * {@code max-timestamp} (newest {@code column} of {@code table} not older than the recovery point minus
 * {@code tolerance}), {@code http} ({@code url} answers {@code status}, optionally containing {@code contains}).
 */
public record CheckSpec(
        @NotNull(message = "is required: row-count, max-timestamp or http") Type type,
        @Pattern(regexp = "[A-Za-z_][A-Za-z0-9_.]{0,127}", message = "must be a table name") String table,
        @Pattern(regexp = "[A-Za-z_][A-Za-z0-9_]{0,62}", message = "must be a column name") String column,
        @PositiveOrZero(message = "must be 0 or more") Long min,
        Duration tolerance,
        @Pattern(regexp = "https?://.+", message = "must be an http:// or https:// URL") String url,
        @Min(value = 100, message = "must be an HTTP status") @Max(value = 599, message = "must be an HTTP status") Integer status,
        String contains) {

    public enum Type {
        @com.fasterxml.jackson.annotation.JsonProperty("row-count") ROW_COUNT,
        @com.fasterxml.jackson.annotation.JsonProperty("max-timestamp") MAX_TIMESTAMP,
        @com.fasterxml.jackson.annotation.JsonProperty("http") HTTP
    }
}

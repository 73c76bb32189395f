package io.lifeboat.backup.source;

import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Optional;

/** Five-field Unix cron expressions, evaluated in UTC (the runbook's "daily at 02:00" is {@code 0 2 * * *}). */
public final class Schedules {

    public static final String DEFAULT = "0 2 * * *";
    private static final CronParser PARSER = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));

    private Schedules() {
    }

    /** The parse error, or empty when the expression is valid. */
    public static Optional<String> problem(String expression) {
        try {
            PARSER.parse(expression).validate();
            return Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.of("is not a valid cron expression (minute hour day-of-month month day-of-week, UTC; "
                    + "e.g. \"0 2 * * *\"): " + e.getMessage());
        }
    }

    public static Instant nextAfter(String expression, Instant after) {
        ExecutionTime time = ExecutionTime.forCron(PARSER.parse(expression));
        return time.nextExecution(ZonedDateTime.ofInstant(after, ZoneOffset.UTC))
                .map(ZonedDateTime::toInstant)
                .orElseThrow(() -> new IllegalArgumentException("schedule " + expression + " never fires"));
    }
}

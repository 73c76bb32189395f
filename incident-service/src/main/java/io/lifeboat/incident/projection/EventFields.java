package io.lifeboat.incident.projection;

import com.fasterxml.jackson.databind.JsonNode;

import java.sql.Timestamp;
import java.time.Instant;

/** Reading an event's data fields as the projection tables store them (null stays null). */
final class EventFields {

    private EventFields() {
    }

    static String text(JsonNode d, String field) {
        JsonNode n = d.get(field);
        return n == null || n.isNull() ? null : n.asText();
    }

    static Timestamp instant(JsonNode d, String field) {
        String t = text(d, field);
        return t == null ? null : Timestamp.from(Instant.parse(t));
    }

    static Timestamp ts(Instant i) {
        return i == null ? null : Timestamp.from(i);
    }

    static Double dbl(JsonNode d, String field) {
        JsonNode n = d.get(field);
        return n == null || n.isNull() ? null : n.asDouble();
    }

    static long durationSeconds(JsonNode d, String field, long fallback) {
        String t = text(d, field);
        return t == null ? fallback : java.time.Duration.parse(t).toSeconds();
    }

    static String join(JsonNode array) {
        if (array == null || !array.isArray()) return null;
        StringBuilder sb = new StringBuilder();
        for (JsonNode n : array) {
            if (!sb.isEmpty()) sb.append(',');
            sb.append(n.asText());
        }
        return sb.toString();
    }
}

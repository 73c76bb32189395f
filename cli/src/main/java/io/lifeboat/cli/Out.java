package io.lifeboat.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Human-readable tables and progress, or JSON for scripts. */
final class Out {

    private Out() {
    }

    static void json(PrintStream out, JsonNode node) {
        try {
            out.println(Api.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(node));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A left-aligned table; cells are the JSON fields named by {@code fields} (dotted paths allowed). */
    static void table(PrintStream out, JsonNode rows, String[] headers, String[] fields) {
        List<String[]> lines = new ArrayList<>();
        lines.add(headers);
        for (JsonNode row : rows) {
            String[] cells = new String[fields.length];
            for (int i = 0; i < fields.length; i++) {
                cells[i] = cell(at(row, fields[i]));
            }
            lines.add(cells);
        }
        int[] widths = new int[headers.length];
        for (String[] line : lines) {
            for (int i = 0; i < line.length; i++) widths[i] = Math.max(widths[i], line[i].length());
        }
        for (String[] line : lines) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < line.length; i++) {
                sb.append(i == line.length - 1 ? line[i] : String.format("%-" + (widths[i] + 2) + "s", line[i]));
            }
            out.println(sb.toString().stripTrailing());
        }
    }

    static JsonNode at(JsonNode node, String path) {
        JsonNode current = node;
        for (String part : path.split("\\.")) {
            current = current == null ? null : current.get(part);
        }
        return current;
    }

    static String cell(JsonNode value) {
        if (value == null || value.isNull()) return "-";
        if (value.isArray()) {
            List<String> parts = new ArrayList<>();
            value.forEach(v -> parts.add(v.asText()));
            return String.join(",", parts);
        }
        String text = value.asText();
        if (text.startsWith("PT") || text.startsWith("P")) {
            try {
                return human(Duration.parse(text));
            } catch (RuntimeException ignored) {
                return text;
            }
        }
        return text;
    }

    static String human(Duration d) {
        long s = d.getSeconds();
        if (s < 0) return "-" + human(d.negated());
        if (s >= 86400) return String.format("%dd %dh", s / 86400, s % 86400 / 3600);
        if (s >= 3600) return String.format("%dh %02dm", s / 3600, s % 3600 / 60);
        if (s >= 60) return String.format("%dm %02ds", s / 60, s % 60);
        return String.format("%.1fs", d.toMillis() / 1000.0);
    }

    static String bytes(long n) {
        if (n >= 1L << 30) return String.format("%.2f GiB", n / (double) (1L << 30));
        if (n >= 1L << 20) return String.format("%.1f MiB", n / (double) (1L << 20));
        if (n >= 1L << 10) return String.format("%.1f KiB", n / 1024.0);
        return n + " B";
    }

    /** One progress line, redrawn in place on a terminal. */
    static void progress(PrintStream out, String what, JsonNode progress, String phase) {
        String line;
        if (progress != null && progress.has("bytesDone")) {
            long done = progress.path("bytesDone").asLong();
            String total = progress.hasNonNull("bytesTotal") ? " / " + bytes(progress.get("bytesTotal").asLong()) : "";
            String pct = progress.hasNonNull("percent") ? String.format(" %5.1f%%", progress.get("percent").asDouble()) : "";
            String eta = progress.hasNonNull("eta") ? " ETA " + cell(progress.get("eta")) : "";
            line = String.format("%s %s: %s%s%s%s", what, phase, bytes(done), total, pct, eta);
        } else {
            line = what + " " + phase;
        }
        if (System.console() != null) {
            out.print("\r" + line + "          ");
        } else {
            out.println(line);
        }
        out.flush();
    }
}

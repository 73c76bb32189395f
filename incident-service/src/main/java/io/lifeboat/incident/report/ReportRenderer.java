package io.lifeboat.incident.report;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Renders the post-incident report as Markdown or HTML (same sections as the JSON, in checklist order). */
public final class ReportRenderer {

    private ReportRenderer() {
    }

    /** One section: a heading and lines (a line starting with "|" is a table row). */
    private record Section(String heading, List<String> lines) {
    }

    private static List<Section> sections(IncidentReport r) {
        List<Section> s = new ArrayList<>();
        var w = r.fiveWs();
        s.add(new Section("What happened (5 Ws)", List.of(
                "- **What:** " + w.what(), "- **When:** impact started " + w.when(),
                "- **Where:** " + (w.where().isEmpty() ? "no sources named" : String.join(", ", w.where())),
                "- **Who:** " + w.who(), "- **Why:** " + w.why())));
        var m = r.milestones();
        s.add(new Section("Actual RTO achieved", List.of(
                "- **RTO achieved:** " + d(r.rto().achieved()) + " against a target of " + d(r.rto().target()) + " — "
                        + (r.rto().met() == null ? "service not restored yet" : r.rto().met() ? "**met**" : "**missed**"),
                "- Time to detect: " + d(m.timeToDetect()) + "; time to declare: " + d(m.timeToDeclare())
                        + "; time to restore: " + d(m.timeToRestore()),
                "- Impact started " + m.impactStartedAt() + "; detected " + orDash(m.detectedAt()) + "; declared " + m.declaredAt()
                        + "; restore started " + orDash(m.restoreStartedAt()) + "; restore completed " + orDash(m.restoreCompletedAt())
                        + "; service restored " + orDash(m.serviceRestoredAt()) + "; resolved " + orDash(m.resolvedAt()))));
        List<String> loss = new ArrayList<>();
        if (r.dataLoss().isEmpty()) {
            loss.add("No completed restore is linked to this incident, so no backup was restored.");
        } else {
            loss.add("| source | backup restored | recovery point | data loss | RPO target | within |");
            loss.add("|---|---|---|---|---|---|");
            for (var l : r.dataLoss()) {
                loss.add("| " + l.source() + " | " + l.backupId() + " | " + l.recoveryPointAt() + " | " + d(l.dataLoss()) + " | "
                        + d(l.rpoTarget()) + " | " + (l.withinTarget() == null ? "?" : l.withinTarget() ? "yes" : "**no**") + " |");
            }
            r.dataLoss().stream().filter(l -> l.note() != null).forEach(l -> loss.add("**" + l.source() + ": " + l.note() + "**"));
        }
        s.add(new Section("Data loss (RPO)", loss));
        s.add(new Section("Did the monitoring alerts fire?", List.of(r.alerts().fired()
                ? "Yes: " + String.join(", ", r.alerts().names()) + ", first at " + r.alerts().firstFiredAt()
                : "No alert was received for this incident.")));
        List<String> steps = new ArrayList<>();
        if (r.steps().isEmpty()) {
            steps.add("No restore steps recorded.");
        } else {
            steps.add("| restore | step | started | duration |");
            steps.add("|---|---|---|---|");
            for (var st : r.steps()) {
                steps.add("| " + st.restoreId() + " | " + st.name() + " | " + st.startedAt() + " | " + st.durationSeconds() + " s |");
            }
        }
        s.add(new Section("Runbook steps and their durations", steps));
        var t = r.testedSince();
        s.add(new Section("Backup/restore tested since?", List.of(t.tested()
                ? "Yes: last restore test " + orDash(t.lastRestoreTestAt()) + ", last drill " + orDash(t.lastDrillAt())
                        + (t.lastDrillVerdict() == null ? "" : " (" + t.lastDrillVerdict() + ")")
                : "Not yet: run a drill (lifeboat drill run " + r.scenario() + ")")));
        List<String> updates = new ArrayList<>(r.runbookUpdates().learnings().stream().map(l -> "- " + l).toList());
        updates.add(r.runbookUpdates().updated() ? r.runbookUpdates().note() : "**" + r.runbookUpdates().note() + "**");
        s.add(new Section("Runbook updated with learnings?", updates));
        s.add(new Section("Post-mortem", List.of(r.postmortem().scheduledAt() == null ? "**" + r.postmortem().note() + "**"
                : r.postmortem().scheduledAt() + " — " + (r.postmortem().within48Hours() ? r.postmortem().note() : "**" + r.postmortem().note() + "**"))));
        List<String> actions = new ArrayList<>();
        if (r.actions().isEmpty()) {
            actions.add("No action items yet.");
        } else {
            actions.add("| id | action | owner | due | status |");
            actions.add("|---|---|---|---|---|");
            for (var a : r.actions()) {
                actions.add("| " + a.id() + " | " + a.title() + " | " + a.owner() + " | " + (a.dueDate() == null ? "—" : a.dueDate())
                        + " | " + (a.closed() ? "closed" : "open") + " |");
            }
        }
        s.add(new Section("Action items", actions));
        List<String> timeline = new ArrayList<>(List.of("| time | offset from impact | event |", "|---|---|---|"));
        for (var e : r.timeline()) {
            timeline.add("| " + e.time() + " | " + signed(e.offsetFromImpact()) + " | " + e.summary().replace("|", "\\|") + " |");
        }
        s.add(new Section("Timeline", timeline));
        return s;
    }

    public static String markdown(IncidentReport r) {
        StringBuilder md = new StringBuilder("# Post-incident report " + r.incidentId() + ": " + r.title() + "\n\n");
        md.append("Severity ").append(r.severity()).append(" · scenario ").append(r.scenario()).append(" · status ")
                .append(r.status()).append("\n");
        for (Section section : sections(r)) {
            md.append("\n## ").append(section.heading()).append("\n\n");
            section.lines().forEach(line -> md.append(line).append('\n'));
        }
        return md.toString();
    }

    public static String html(IncidentReport r) {
        StringBuilder h = new StringBuilder("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>")
                .append(esc(r.incidentId())).append("</title><style>body{font-family:sans-serif;max-width:60em;margin:2em auto}"
                        + "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2em .5em}</style></head><body>");
        h.append("<h1>Post-incident report ").append(esc(r.incidentId())).append(": ").append(esc(r.title())).append("</h1>");
        h.append("<p>Severity ").append(esc(r.severity())).append(" · scenario ").append(esc(r.scenario())).append(" · status ")
                .append(esc(r.status())).append("</p>");
        for (Section section : sections(r)) {
            h.append("<h2>").append(esc(section.heading())).append("</h2>");
            boolean inTable = false;
            boolean inList = false;
            for (String line : section.lines()) {
                if (line.startsWith("|")) {
                    if (line.startsWith("|---")) continue;
                    if (!inTable) {
                        h.append("<table>");
                        inTable = true;
                    }
                    h.append("<tr>");
                    String[] cells = line.substring(1, line.length() - 1).split(" \\| ");
                    for (String cell : cells) h.append("<td>").append(inline(cell.strip())).append("</td>");
                    h.append("</tr>");
                } else if (line.startsWith("- ")) {
                    if (!inList) {
                        h.append("<ul>");
                        inList = true;
                    }
                    h.append("<li>").append(inline(line.substring(2))).append("</li>");
                } else {
                    h.append("<p>").append(inline(line)).append("</p>");
                }
            }
            if (inTable) h.append("</table>");
            if (inList) h.append("</ul>");
        }
        return h.append("</body></html>").toString();
    }

    private static String inline(String text) {
        return esc(text).replaceAll("\\*\\*(.+?)\\*\\*", "<strong>$1</strong>");
    }

    private static String esc(String s) {
        return s == null ? "" : s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    public static String d(Duration d) {
        if (d == null) return "—";
        long s = d.getSeconds();
        return s >= 3600 ? String.format("%dh %02dm %02ds", s / 3600, s % 3600 / 60, s % 60)
                : s >= 60 ? String.format("%dm %02ds", s / 60, s % 60) : String.format("%.1fs", d.toMillis() / 1000.0);
    }

    private static String signed(Duration d) {
        return d.isNegative() ? "-" + d(d.negated()) : "+" + d(d);
    }

    private static String orDash(Object o) {
        return o == null ? "—" : o.toString();
    }
}

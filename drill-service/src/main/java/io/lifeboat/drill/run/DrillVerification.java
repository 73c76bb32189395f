package io.lifeboat.drill.run;

import jakarta.enterprise.context.ApplicationScoped;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The runbook's "verify data integrity" and "smoke tests" for a drill: the restored copies hold exactly what was
 * backed up (row counts and newest timestamps per table, files and bytes per folder), and restore-service's own
 * checks passed.
 */
@ApplicationScoped
class DrillVerification {

    private final IsolatedTargets targets;

    DrillVerification(IsolatedTargets targets) {
        this.targets = targets;
    }

    /** What does not match, one line each; empty when everything does. */
    List<String> verify(List<Prepared> prepared, List<Restored> restored) {
        List<String> problems = new ArrayList<>();
        if (restored.isEmpty()) {
            problems.add("nothing was restored");
        }
        for (Restored r : restored) {
            Prepared p = prepared.stream().filter(x -> x.source().equals(r.source())).findFirst().orElseThrow();
            if ("postgres".equals(p.kind())) {
                IsolatedTargets.TableState actual = targets.tableState(r.restoredAs(), p.rowCounts().keySet(), p.newestTimestamps());
                p.rowCounts().forEach((table, expected) -> {
                    if (!expected.equals(actual.rowCounts().get(table))) {
                        problems.add(r.source() + "." + table + ": " + actual.rowCounts().get(table) + " rows restored, "
                                + expected + " backed up");
                    }
                });
                p.newestTimestamps().forEach((table, expected) -> {
                    if (!actual.newest().containsKey(table) || !Objects.equals(expected.value(), actual.newest().get(table))) {
                        problems.add(r.source() + "." + table + ": newest " + expected.column() + " restored is "
                                + actual.newest().get(table) + ", backed up " + expected.value());
                    }
                });
            } else {
                long[] actual = IsolatedTargets.count(Path.of(r.restoredAs()));
                if (actual[0] != p.files() || actual[1] != p.bytes()) {
                    problems.add(r.source() + ": " + actual[0] + " files / " + actual[1] + " bytes restored, " + p.files()
                            + " files / " + p.bytes() + " bytes in the source");
                }
            }
        }
        return problems;
    }

    /** What verify compared, for the step's detail: the numbers a drill report shows. */
    static String matched(List<Prepared> prepared) {
        List<String> parts = new ArrayList<>();
        for (Prepared p : prepared) {
            if ("postgres".equals(p.kind())) {
                p.rowCounts().forEach((table, rows) -> parts.add(p.source() + "." + table + " " + rows + " rows"
                        + (p.newestTimestamps().containsKey(table) ? ", newest " + p.newestTimestamps().get(table).value() : "")));
            } else {
                parts.add(p.source() + " " + p.files() + " files / " + p.bytes() + " bytes");
            }
        }
        return parts.isEmpty() ? "" : ": " + String.join("; ", parts);
    }

    static List<String> smoke(List<Restored> restored) {
        return restored.stream().filter(r -> !r.checksPassed()).map(r -> r.source() + ": restore checks failed").toList();
    }
}

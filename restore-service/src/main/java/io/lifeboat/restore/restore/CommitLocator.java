package io.lifeboat.restore.restore;

import io.lifeboat.bucket.wal.Lsn;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns a recovery to an instant into a recovery to a WAL position: the commit record after which recovery must
 * stop, found with {@code pg_waldump} in the fetched WAL. {@code recovery_target_time} stops only at commit
 * records, after replaying everything before them, including what a transaction still in flight did that is not
 * undone by its not committing: the file removal of a {@code DROP DATABASE} that began after the instant would
 * already be replayed, and the database lost. Stopping right after the last commit at or before the instant (the
 * one recovery_target_time would stop after) replays nothing later.
 */
final class CommitLocator {

    private static final Pattern COMMIT = Pattern.compile(
            "lsn: ([0-9A-F]+/[0-9A-F]+), prev [0-9A-F]+/[0-9A-F]+, desc: COMMIT (\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d(?:\\.\\d+)?) UTC");
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss[.SSSSSS][.SSSSS][.SSSS][.SSS][.SS][.S]");

    /** The last commit at or before an instant, and the first after it (if the WAL has one). */
    record Found(long lsn, Instant committedAt, Instant nextCommitAt) {
    }

    private CommitLocator() {
    }

    /**
     * Scans {@code segments} (in chain order, in folder {@code wal}) for commit records; empty when none was
     * committed at or before {@code at}.
     */
    static Optional<Found> lastCommitAtOrBefore(Path binDir, Path wal, List<String> segments, Instant at) throws IOException {
        Found found = null;
        for (List<String> run : sameTimelineRuns(segments)) {
            List<String> command = new ArrayList<>(List.of(binDir.resolve("pg_waldump").toString(), "--path=" + wal,
                    "--rmgr=Transaction", run.get(0), run.get(run.size() - 1)));
            // the end of the WAL reads as an error on stderr: not needed
            ProcessBuilder builder = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD);
            builder.environment().put("TZ", "UTC");
            Process p = builder.start();
            p.getOutputStream().close();
            try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = out.readLine()) != null) {
                    Matcher m = COMMIT.matcher(line);
                    if (!m.find()) {
                        continue;
                    }
                    Instant committed = LocalDateTime.parse(m.group(2), TIME).toInstant(ZoneOffset.UTC);
                    if (committed.isAfter(at)) {
                        p.destroy();
                        return Optional.ofNullable(found == null ? null : new Found(found.lsn(), found.committedAt(), committed));
                    }
                    found = new Found(Lsn.parse(m.group(1)), committed, null);
                }
            }
            try {
                p.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while reading the WAL");
            }
        }
        return Optional.ofNullable(found);
    }

    private static List<List<String>> sameTimelineRuns(List<String> segments) {
        List<List<String>> runs = new ArrayList<>();
        for (String name : segments) {
            if (runs.isEmpty() || Lsn.timelineOf(runs.get(runs.size() - 1).get(0)) != Lsn.timelineOf(name)) {
                runs.add(new ArrayList<>());
            }
            runs.get(runs.size() - 1).add(name);
        }
        return runs;
    }
}

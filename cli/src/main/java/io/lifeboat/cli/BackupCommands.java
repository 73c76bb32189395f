package io.lifeboat.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;

/** `lifeboat backups`, `lifeboat backup SOURCE`, `lifeboat verify BACKUP_ID`. */
public final class BackupCommands {
    private BackupCommands() {
    }

    @Command(name = "backups", description = "List backups, newest first (the runbook's `ls -lht | head`).")
    public static final class ListBackups implements Callable<Integer> {
        @Mixin
        CliOptions options;
        @Parameters(index = "0", arity = "0..1", description = "only this source")
        String source;
        @Option(names = "--limit", defaultValue = "20")
        int limit;

        @Override
        public Integer call() {
            String query = "?limit=" + limit + (source == null ? "" : "&source=" + URLEncoder.encode(source, StandardCharsets.UTF_8));
            JsonNode page = options.api().get("backup-service", "/backups" + query);
            if (options.json()) {
                Out.json(System.out, page);
            } else {
                Out.table(System.out, page.path("items"), new String[]{"ID", "SOURCE", "PHASE", "RECOVERY POINT", "STORED BYTES", "UPLOADED BYTES", "VERIFIED"},
                        new String[]{"id", "source", "phase", "recoveryPointAt", "storedBytes", "uploadedBytes", "verification.ok"});
            }
            return 0;
        }
    }

    @Command(name = "backup", description = "Back up a source now and wait for it (exit 1 if it fails).")
    public static final class RunBackup implements Callable<Integer> {
        @Mixin
        CliOptions options;
        @Parameters(index = "0", description = "source name, e.g. analytics-db")
        String source;
        @Option(names = "--no-wait", description = "return once the backup is accepted")
        boolean noWait;
        @Option(names = {"-q", "--quiet"}, description = "print only the backup id (for scripts)")
        boolean quiet;

        @Override
        public Integer call() {
            Api api = options.api();
            JsonNode accepted = api.post("backup-service", "/backups", Map.of("source", source));
            String id = accepted.path("id").asText();
            if (noWait) {
                if (options.json()) Out.json(System.out, accepted); else System.out.println(id);
                return 0;
            }
            long start = System.nanoTime();
            JsonNode done = Wait.untilFinal(System.err, options.json() || quiet, "backup " + id,
                    () -> api.get("backup-service", "/backups/" + id + Wait.SERVER_WAIT), Set.of("Completed", "Failed"));
            if (quiet && "Completed".equals(done.path("phase").asText())) {
                System.out.println(id);
            } else if (options.json()) {
                Out.json(System.out, done);
            } else if ("Completed".equals(done.path("phase").asText())) {
                // a chunked backup says what it had to upload: only the chunks the bucket did not have
                String uploaded = done.hasNonNull("uploadedBytes")
                        ? " (" + Out.bytes(done.path("uploadedBytes").asLong()) + " uploaded, the rest unchanged)" : "";
                System.out.printf("backup %s Completed in %.1f s: recovery point %s, %s read, %s stored%s, sha256 %s%n", id,
                        (System.nanoTime() - start) / 1e9, done.path("recoveryPointAt").asText(),
                        Out.bytes(done.path("sizeBytes").asLong()), Out.bytes(done.path("storedBytes").asLong()), uploaded,
                        done.path("sha256").asText().substring(0, 16) + "…");
            } else {
                System.err.println("lifeboat: backup " + id + " failed at " + done.path("failedStep").asText() + ": "
                        + done.path("error").asText());
            }
            return "Completed".equals(done.path("phase").asText()) ? 0 : 1;
        }
    }

    @Command(name = "verify", description = "Re-read a backup from S3 and check it against its manifest (exit 1 if damaged).")
    public static final class Verify implements Callable<Integer> {
        @Mixin
        CliOptions options;
        @Parameters(index = "0", description = "backup id")
        String backupId;

        @Override
        public Integer call() {
            JsonNode result = options.api().post("backup-service", "/backups/" + backupId + "/verify", null);
            if (options.json()) Out.json(System.out, result);
            else System.out.println((result.path("ok").asBoolean() ? "OK " : "DAMAGED ") + backupId + ": " + result.path("detail").asText());
            return result.path("ok").asBoolean() ? 0 : 1;
        }
    }
}

package io.lifeboat.stack;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * On `up`, registers the sample system with backup-service through its API, as a user would: backup sources
 * {@code analytics-db} (continuous: base backups and its WAL streamed, RPO of seconds) and {@code vector-store}
 * (chunked, every 15 minutes),
 * and a first backup of each (existing registrations are left
 * alone). restore-service's targets are declared in its configuration ({@link #declaredTargets}).
 */
final class SampleRegistration {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
    private final StackSettings settings;
    private final String token;
    private final PrintStream out;

    SampleRegistration(StackSettings settings, String adminToken, PrintStream out) {
        this.settings = settings;
        this.token = adminToken;
        this.out = out;
    }

    /**
     * restore-service's targets for the sample system, declared in its configuration so that they come back when
     * its database is lost: the production homes of both sources, and the isolated, non-production targets drills
     * restore into (a drill never restores into production).
     */
    static Map<String, String> declaredTargets(StackSettings settings) {
        String chroma = settings.protectedData().resolve("chroma_db").toString();
        Map<String, String> p = new LinkedHashMap<>();
        postgresTarget(p, "analytics-db-home", settings, true);
        p.put("lifeboat.restore.targets.analytics-db-home.database", SampleSystem.DATABASE);
        p.put("lifeboat.restore.targets.analytics-db-home.source", "analytics-db");
        directoryTarget(p, "vector-store-home", chroma, true);
        p.put("lifeboat.restore.targets.vector-store-home.source", "vector-store");
        postgresTarget(p, "drill-pg", settings, false);
        p.put("lifeboat.restore.targets.drill-pg.database", "lifeboat_drill_scratch");
        directoryTarget(p, "drill-workspace", settings.home().resolve("drills").resolve("workspace").toString(), false);
        return p;
    }

    private static void postgresTarget(Map<String, String> p, String name, StackSettings settings, boolean production) {
        String prefix = "lifeboat.restore.targets." + name + ".";
        p.put(prefix + "kind", "postgres");
        p.put(prefix + "host", "127.0.0.1");
        p.put(prefix + "port", Integer.toString(settings.protectedPgPort()));
        p.put(prefix + "user", PostgresServer.SUPERUSER);
        p.put(prefix + "password-ref", "env:" + LocalStack.SAMPLE_PASSWORD_ENV);
        p.put(prefix + "production", Boolean.toString(production));
    }

    private static void directoryTarget(Map<String, String> p, String name, String path, boolean production) {
        String prefix = "lifeboat.restore.targets." + name + ".";
        p.put(prefix + "kind", "directory");
        p.put(prefix + "path", path);
        p.put(prefix + "production", Boolean.toString(production));
    }

    void register() throws IOException {
        String backup = settings.service("backup-service").url();
        String restore = settings.service("restore-service").url();
        String chroma = settings.protectedData().resolve("chroma_db").toString();
        putIfMissing(backup + "/sources/analytics-db", """
                {"kind": "postgres", "host": "127.0.0.1", "port": %d, "database": "%s", "user": "%s",
                 "passwordRef": "env:%s", "rowCountTables": ["analytics", "usage_tracking"], "encryption": true,
                 "continuous": true, "rpoTarget": "PT1M"}"""
                .formatted(settings.protectedPgPort(), SampleSystem.DATABASE, PostgresServer.SUPERUSER, LocalStack.SAMPLE_PASSWORD_ENV));
        // every 15 minutes, the last day of them kept: chunked storage uploads and stores only what changed
        putIfMissing(backup + "/sources/vector-store", """
                {"kind": "directory", "path": "%s", "storage": "chunks", "schedule": "*/15 * * * *",
                 "rpoTarget": "PT30M", "retention": {"keepLast": 96, "keepDaily": 7, "keepWeekly": 4}}""".formatted(chroma));
        followPostgresPort(backup + "/sources/analytics-db");
        for (String source : new String[]{"analytics-db", "vector-store"}) {
            if (firstBackup(backup, restore, source) && "analytics-db".equals(source)) {
                awaitRestorable(backup, source);
            }
        }
    }

    /**
     * A continuous source is restorable once its base backup is verified and the WAL after it is in the bucket (as
     * backup-service's audit of the bucket finds): `up` returns then, so that a drill or a point-in-time restore right
     * after it has something to restore to.
     */
    private void awaitRestorable(String backupUrl, String source) throws IOException {
        Instant deadline = Instant.now().plusSeconds(120);
        while (Instant.now().isBefore(deadline)) {
            HttpResponse<String> wal = send(HttpRequest.newBuilder(URI.create(backupUrl + "/sources/" + source + "/wal")).GET());
            String until = wal.statusCode() == 200 ? field(wal.body(), "restorableUntil") : null;
            if (until != null) {
                out.println("  " + source + " restorable up to " + until + " (lifeboat window " + source + ")");
                return;
            }
            ServerProcess.sleep(500);
        }
        out.println("  " + source + " is not restorable yet: its WAL has not reached the bucket (see lifeboat window " + source + ")");
    }

    private void putIfMissing(String url, String json) throws IOException {
        if (send(HttpRequest.newBuilder(URI.create(url)).GET()).statusCode() == 200) {
            return;
        }
        HttpResponse<String> put = send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(json)));
        if (put.statusCode() / 100 != 2) {
            throw new StackException("registering " + url + " failed: " + put.statusCode() + " " + put.body());
        }
        out.println("  registered " + url.substring(url.indexOf('/', 8)));
    }

    /**
     * The sample database's server moves when the stack starts on another port (LIFEBOAT_PROTECTED_PG_PORT): point the
     * registered source at it, keeping every other setting the user may have changed.
     */
    private void followPostgresPort(String url) throws IOException {
        HttpResponse<String> current = send(HttpRequest.newBuilder(URI.create(url)).GET());
        if (current.statusCode() != 200) {
            return;
        }
        ObjectNode source = (ObjectNode) JSON.readTree(current.body());
        if (source.path("port").asInt() == settings.protectedPgPort()) {
            return;
        }
        source.put("port", settings.protectedPgPort());
        source.remove(List.of("name", "nextRunAt", "createdAt", "updatedAt"));
        HttpResponse<String> put = send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(source))));
        if (put.statusCode() / 100 != 2) {
            throw new StackException("updating " + url + " to port " + settings.protectedPgPort() + " failed: " + put.statusCode() + " " + put.body());
        }
        out.println("  " + url.substring(url.indexOf('/', 8)) + " now points at port " + settings.protectedPgPort());
    }

    /** @return whether a first backup was taken now and completed */
    private boolean firstBackup(String backupUrl, String restoreUrl, String source) throws IOException {
        // the bucket, not a database, says whether backups exist: after an infrastructure loss the new platform
        // must not make a backup of an empty system the "latest" one
        HttpResponse<String> inBucket = send(HttpRequest.newBuilder(URI.create(restoreUrl + "/catalog?limit=1&source=" + source)).GET());
        if (inBucket.body().contains("\"backupId\"")) {
            out.println("  " + source + " already has backups in the bucket");
            return false;
        }
        HttpResponse<String> started = send(HttpRequest.newBuilder(URI.create(backupUrl + "/backups"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"source\": \"" + source + "\"}")));
        if (started.statusCode() != 202) {
            throw new StackException("first backup of " + source + " was refused: " + started.body());
        }
        String id = field(started.body(), "id");
        Instant deadline = Instant.now().plusSeconds(120);
        String phase = "New";
        while (Instant.now().isBefore(deadline)) {
            String body = send(HttpRequest.newBuilder(URI.create(backupUrl + "/backups/" + id)).GET()).body();
            phase = field(body, "phase");
            if ("Completed".equals(phase) || "Failed".equals(phase)) {
                out.println("  first backup of " + source + ": " + id + " " + phase
                        + ("Failed".equals(phase) ? " (" + field(body, "error") + ")" : ""));
                return "Completed".equals(phase);
            }
            ServerProcess.sleep(300);
        }
        out.println("  first backup of " + source + ": " + id + " still " + phase + " (see GET /backups/" + id + ")");
        return false;
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws IOException {
        try {
            return http.send(request.header("Authorization", "Bearer " + token).timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StackException("interrupted");
        }
    }

    private static String field(String json, String name) {
        var m = java.util.regex.Pattern.compile("\"" + name + "\"\\s*:\\s*\"([^\"]*)\"").matcher(json);
        return m.find() ? m.group(1) : null;
    }
}

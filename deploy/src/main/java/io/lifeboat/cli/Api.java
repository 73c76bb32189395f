package io.lifeboat.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lifeboat.stack.StackSettings;
import io.lifeboat.stack.TokenIssuer;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;

/**
 * The services' HTTP APIs as the CLI sees them. URLs come from the local stack's ports (or
 * LIFEBOAT_BACKUP_URL, LIFEBOAT_RESTORE_URL, LIFEBOAT_DRILL_URL, LIFEBOAT_INCIDENT_URL); the token from --token
 * or LIFEBOAT_TOKEN, else one minted from the local stack's key (local use only).
 */
final class Api {

    static final ObjectMapper JSON = new ObjectMapper().findAndRegisterModules();

    /** The API answered with an error: its status and the problem's detail. */
    static final class Failure extends RuntimeException {
        final int status;

        Failure(int status, String message) {
            super(message);
            this.status = status;
        }
    }

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final StackSettings settings = StackSettings.fromEnvironment();
    private final String token;

    Api(String explicitToken) {
        String t = explicitToken != null ? explicitToken : System.getenv("LIFEBOAT_TOKEN");
        if (t == null || t.isBlank()) {
            TokenIssuer local = new TokenIssuer(settings.home().resolve("keys"));
            if (!Files.exists(local.privateKey())) {
                throw new Failure(401, "no token: set LIFEBOAT_TOKEN or pass --token (./lifeboat token operator prints one)");
            }
            t = local.issue("admin", System.getProperty("user.name", "cli") + "@cli", Duration.ofMinutes(30));
        }
        this.token = t;
    }

    String url(String service) {
        String env = System.getenv("LIFEBOAT_" + service.replace("-service", "").toUpperCase() + "_URL");
        return env != null ? env : settings.service(service).url();
    }

    JsonNode get(String service, String path) {
        return send(service, "GET", path, null, "application/json").json;
    }

    JsonNode post(String service, String path, Object body) {
        return send(service, "POST", path, body, "application/json").json;
    }

    JsonNode put(String service, String path, Object body) {
        return send(service, "PUT", path, body, "application/json").json;
    }

    String text(String service, String path, String accept) {
        return send(service, "GET", path, null, accept).body;
    }

    private record Reply(String body, JsonNode json) {
    }

    private Reply send(String service, String method, String path, Object body, String accept) {
        String url = url(service) + path;
        try {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(120))
                    .header("Authorization", "Bearer " + token).header("Accept", accept);
            if (body != null) {
                request.header("Content-Type", "application/json")
                        .method(method, HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
            } else {
                request.method(method, HttpRequest.BodyPublishers.noBody());
            }
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            JsonNode json = null;
            if (response.headers().firstValue("Content-Type").orElse("").contains("json") && !response.body().isBlank()) {
                json = JSON.readTree(response.body());
            }
            if (response.statusCode() >= 400) {
                String detail = json != null && json.has("detail") ? json.get("detail").asText() : response.body();
                throw new Failure(response.statusCode(), service + " answered " + response.statusCode() + ": " + detail);
            }
            return new Reply(response.body(), json);
        } catch (IOException e) {
            throw new Failure(0, "cannot reach " + service + " at " + url(service) + " (" + e.getMessage()
                    + "); is the platform up? ./lifeboat status");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Failure(0, "interrupted");
        }
    }
}

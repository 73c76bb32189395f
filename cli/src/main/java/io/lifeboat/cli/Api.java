package io.lifeboat.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/**
 * The services' HTTP APIs as the CLI sees them: their URLs ({@link Endpoints}) and the operator's bearer token,
 * from {@code --token} or {@code LIFEBOAT_TOKEN}. The CLI never makes a token up: without one it stops and says
 * how to get one.
 */
final class Api {

    static final ObjectMapper JSON = new ObjectMapper().findAndRegisterModules();
    static final String NO_TOKEN = "no token: pass --token or set LIFEBOAT_TOKEN (on the local stack: "
            + "export LIFEBOAT_TOKEN=$(./lifeboat token operator); elsewhere ask your Lifeboat administrator)";

    /** The API answered with an error, or could not be reached (status 0). */
    static final class Failure extends RuntimeException {
        final int status;

        Failure(int status, String message) {
            super(message);
            this.status = status;
        }

        boolean unreachable() {
            return status == 0;
        }
    }

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final Endpoints endpoints;
    private final String token;

    Api(String explicitToken, Map<String, String> environment) {
        String t = explicitToken != null ? explicitToken : environment.get("LIFEBOAT_TOKEN");
        if (t == null || t.isBlank()) {
            throw new Failure(401, NO_TOKEN);
        }
        this.token = t.strip();
        this.endpoints = new Endpoints(environment);
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

    JsonNode delete(String service, String path) {
        return send(service, "DELETE", path, null, "application/json").json;
    }

    String text(String service, String path, String accept) {
        return send(service, "GET", path, null, accept).body;
    }

    private record Reply(String body, JsonNode json) {
    }

    private Reply send(String service, String method, String path, Object body, String accept) {
        String base = endpoints.url(service);
        try {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(120))
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
            throw new Failure(0, "cannot reach " + service + " at " + base + " (" + e.getMessage()
                    + "); is the platform up? ./lifeboat status");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Failure(0, "interrupted");
        }
    }
}

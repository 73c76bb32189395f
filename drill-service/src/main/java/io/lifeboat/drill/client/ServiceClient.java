package io.lifeboat.drill.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lifeboat.drill.config.ServicesConfig;
import jakarta.enterprise.context.ApplicationScoped;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Calls backup-service and restore-service over their HTTP APIs (services share no code, only APIs). */
@ApplicationScoped
public class ServiceClient {

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final ServicesConfig config;
    private final ObjectMapper json;

    public ServiceClient(ServicesConfig config, ObjectMapper json) {
        this.config = config;
        this.json = json;
    }

    /** A failed call: the status and the other service's problem detail. */
    public static class CallFailed extends RuntimeException {
        private final int status;

        public CallFailed(int status, String message) {
            super(message);
            this.status = status;
        }

        public int status() {
            return status;
        }
    }

    public JsonNode backup(String method, String path, Object body) {
        return call(config.backupService(), method, path, body);
    }

    public JsonNode restore(String method, String path, Object body) {
        return call(config.restoreService(), method, path, body);
    }

    private JsonNode call(String base, String method, String path, Object body) {
        try {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60))
                    .header("Accept", "application/json");
            config.token().ifPresent(t -> request.header("Authorization", "Bearer " + t));
            if (body != null) {
                request.header("Content-Type", "application/json")
                        .method(method, HttpRequest.BodyPublishers.ofString(json.writeValueAsString(body)));
            } else {
                request.method(method, HttpRequest.BodyPublishers.noBody());
            }
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            JsonNode node = response.body().isBlank() ? json.nullNode() : json.readTree(response.body());
            if (response.statusCode() >= 300) {
                String detail = node.path("detail").asText(response.body());
                throw new CallFailed(response.statusCode(), method + " " + base + path + " answered " + response.statusCode() + ": " + detail);
            }
            return node;
        } catch (IOException e) {
            throw new CallFailed(503, method + " " + base + path + " failed: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CallFailed(503, "interrupted");
        }
    }
}

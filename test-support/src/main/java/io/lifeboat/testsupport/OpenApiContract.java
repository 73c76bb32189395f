package io.lifeboat.testsupport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * What every Lifeboat service's OpenAPI document must say, so that its Swagger UI is enough to use it: every
 * operation documents its error responses as problem details, and every operation that takes a body documents it.
 */
public final class OpenApiContract {

    private static final Set<String> BODY_METHODS = Set.of("post", "put", "patch");

    private OpenApiContract() {
    }

    /** What the document (JSON) misses; empty when it keeps the contract. */
    public static List<String> violations(String openApiJson, Set<String> operationsWithoutBody) throws Exception {
        JsonNode doc = new ObjectMapper().readTree(openApiJson);
        List<String> missing = new ArrayList<>();
        if (!doc.path("components").path("schemas").has("Problem")) {
            missing.add("components.schemas.Problem");
        }
        doc.path("paths").fields().forEachRemaining(path -> path.getValue().fields().forEachRemaining(op -> {
            String name = op.getKey().toUpperCase() + " " + path.getKey();
            if (!Set.of("get", "post", "put", "delete", "patch").contains(op.getKey()) || path.getKey().startsWith("/q/")) {
                return;
            }
            for (String status : List.of("401", "403", "500")) {
                if (!op.getValue().path("responses").path(status).path("content").has("application/problem+json")) {
                    missing.add(name + " response " + status + " as application/problem+json");
                }
            }
            if (BODY_METHODS.contains(op.getKey()) && !operationsWithoutBody.contains(name)
                    && op.getValue().path("requestBody").path("content").isEmpty()) {
                missing.add(name + " request body");
            }
        }));
        return missing;
    }
}

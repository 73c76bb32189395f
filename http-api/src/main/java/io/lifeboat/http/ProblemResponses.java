package io.lifeboat.http;

import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.Components;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.Operation;
import org.eclipse.microprofile.openapi.models.PathItem;
import org.eclipse.microprofile.openapi.models.media.Content;
import org.eclipse.microprofile.openapi.models.media.Schema;
import org.eclipse.microprofile.openapi.models.responses.APIResponse;
import org.eclipse.microprofile.openapi.models.responses.APIResponses;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Documents in OpenAPI the errors every Lifeboat operation can answer with, as RFC 9457 problem details
 * ({@code application/problem+json}), so the Swagger UI shows what a refusal looks like. Registered with
 * {@code mp.openapi.filter=io.lifeboat.http.ProblemResponses}.
 */
public class ProblemResponses implements OASFilter {

    private static final String REF = "#/components/schemas/Problem";
    private static final Map<String, String> ALWAYS = Map.of(
            "401", "no valid bearer token (problem details)",
            "403", "the token's role may not do this (problem details)",
            "500", "unexpected error, with an id to find it in the service log (problem details)");
    private static final Map<String, String> WITH_INPUT = Map.of(
            "400", "a field or parameter is invalid: errors[] names each one (problem details)");
    private static final Map<String, String> ON_RESOURCE = Map.of(
            "404", "no such resource (problem details)",
            "409", "the resource's state does not allow this now; the detail says why and what to do (problem details)");

    @Override
    public void filterOpenAPI(OpenAPI openAPI) {
        Components components = openAPI.getComponents() == null ? OASFactory.createComponents() : openAPI.getComponents();
        components.addSchema("Problem", problemSchema());
        openAPI.setComponents(components);
        if (openAPI.getPaths() == null || openAPI.getPaths().getPathItems() == null) {
            return;
        }
        openAPI.getPaths().getPathItems().forEach((path, item) -> {
            for (Map.Entry<PathItem.HttpMethod, Operation> entry : item.getOperations().entrySet()) {
                Operation operation = entry.getValue();
                APIResponses responses = operation.getResponses() == null ? OASFactory.createAPIResponses() : operation.getResponses();
                Map<String, String> errors = new LinkedHashMap<>(ALWAYS);
                boolean input = operation.getRequestBody() != null
                        || (operation.getParameters() != null && !operation.getParameters().isEmpty());
                if (input) errors.putAll(WITH_INPUT);
                if (path.contains("{") || entry.getKey() != PathItem.HttpMethod.GET) errors.putAll(ON_RESOURCE);
                errors.forEach((status, description) -> {
                    // Quarkus adds 401/403 for secured operations itself, without a body: give them the problem body
                    APIResponse response = responses.getAPIResponse(status);
                    if (response == null) {
                        response = OASFactory.createAPIResponse().description(description);
                        responses.addAPIResponse(status, response);
                    }
                    Content content = response.getContent() == null ? OASFactory.createContent() : response.getContent();
                    if (content.getMediaType(Problem.MEDIA_TYPE) == null) {
                        content.addMediaType(Problem.MEDIA_TYPE, OASFactory.createMediaType().schema(OASFactory.createSchema().ref(REF)));
                    }
                    response.setContent(content);
                });
                operation.setResponses(responses);
            }
        });
    }

    private static Schema problemSchema() {
        Schema string = OASFactory.createSchema().addType(Schema.SchemaType.STRING);
        Schema fieldError = OASFactory.createSchema().addType(Schema.SchemaType.OBJECT)
                .addProperty("field", OASFactory.createSchema().addType(Schema.SchemaType.STRING))
                .addProperty("message", OASFactory.createSchema().addType(Schema.SchemaType.STRING));
        return OASFactory.createSchema().addType(Schema.SchemaType.OBJECT)
                .description("RFC 9457 problem details")
                .addProperty("type", string)
                .addProperty("title", OASFactory.createSchema().addType(Schema.SchemaType.STRING))
                .addProperty("status", OASFactory.createSchema().addType(Schema.SchemaType.INTEGER))
                .addProperty("detail", OASFactory.createSchema().addType(Schema.SchemaType.STRING))
                .addProperty("errors", OASFactory.createSchema().addType(Schema.SchemaType.ARRAY).items(fieldError))
                .required(List.of("type", "title", "status", "detail"));
    }
}

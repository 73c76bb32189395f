package io.lifeboat.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.ConstraintViolationException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;

/** The one exception mapper of this service: every error becomes problem details, never a stack trace. */
public class ProblemMapper {

    private static final Logger LOG = Logger.getLogger(ProblemMapper.class);

    @ServerExceptionMapper
    public Response api(ApiException e) {
        return problem(e.status(), e.getMessage(), e.errors());
    }

    @ServerExceptionMapper
    public Response validation(ConstraintViolationException e) {
        List<Problem.FieldError> errors = e.getConstraintViolations().stream()
                .map(v -> new Problem.FieldError(field(v), v.getMessage()))
                .sorted(Comparator.comparing(Problem.FieldError::field))
                .toList();
        String detail = errors.stream().map(err -> err.field() + ": " + err.message()).collect(Collectors.joining("; "));
        return problem(400, detail, errors);
    }

    /** Quarkus ships a mapper for this subtype; ours must name it to take precedence. */
    @ServerExceptionMapper
    public Response mismatchedInput(com.fasterxml.jackson.databind.exc.MismatchedInputException e) {
        return json(e);
    }

    @ServerExceptionMapper
    public Response json(JsonProcessingException e) {
        String field = e instanceof JsonMappingException m ? path(m) : "";
        String message = e.getOriginalMessage();
        // Jackson's messages can quote Java types; keep the first sentence, which names the bad value
        int cut = message.indexOf(" at [Source");
        message = cut > 0 ? message.substring(0, cut) : message;
        if (field.isEmpty()) {
            return problem(400, "request body is not valid JSON: " + message, List.of());
        }
        return problem(400, field + ": " + message, List.of(new Problem.FieldError(field, message)));
    }

    @ServerExceptionMapper({UnauthorizedException.class, AuthenticationFailedException.class})
    public Response unauthorized(RuntimeException e) {
        return problem(new Problem("about:blank", "Unauthorized", 401,
                "a valid bearer token is required (Authorization: Bearer <token>; ./lifeboat token ROLE prints one)",
                List.of())).header("WWW-Authenticate", "Bearer").build();
    }

    @ServerExceptionMapper
    public Response forbidden(ForbiddenException e) {
        return problem(403, "your token's role may not do this; it needs operator or admin (viewer tokens are read-only)",
                List.of());
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e) {
        int status = e.getResponse().getStatus();
        if (status >= 500) {
            return unexpected(e);
        }
        return problem(status, e.getMessage(), List.of());
    }

    @ServerExceptionMapper(priority = 10_000)
    public Response unexpected(Throwable e) {
        String id = UUID.randomUUID().toString();
        LOG.errorf(e, "unexpected error %s", id);
        return problem(500, "unexpected error " + id + "; the service log has the details", List.of());
    }

    static Response problem(int status, String detail, List<Problem.FieldError> errors) {
        Response.Status known = Response.Status.fromStatusCode(status);
        String title = known != null ? known.getReasonPhrase() : "Error";
        return problem(new Problem("about:blank", title, status, detail, errors)).build();
    }

    /** Serialised here so the body keeps its problem+json type whatever the resource produces. */
    static Response.ResponseBuilder problem(Problem problem) {
        try {
            return Response.status(problem.status()).type(Problem.MEDIA_TYPE).entity(JSON.writeValueAsString(problem));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    private static String field(ConstraintViolation<?> violation) {
        // "put.request.kind" -> "kind": drop the method and parameter names
        List<String> nodes = new ArrayList<>();
        violation.getPropertyPath().forEach(node -> {
            if (node.isInIterable() && node.getIndex() != null && !nodes.isEmpty()) {
                // "steps" then "budgetSeconds" in element 0 -> "steps[0]", "budgetSeconds"
                nodes.set(nodes.size() - 1, nodes.get(nodes.size() - 1) + "[" + node.getIndex() + "]");
            }
            if (node.getName() != null) {
                nodes.add(node.getName());
            }
        });
        if (nodes.size() > 2) {
            return String.join(".", nodes.subList(2, nodes.size()));
        }
        return nodes.isEmpty() ? "" : nodes.get(nodes.size() - 1);
    }

    private static String path(JsonMappingException e) {
        StringBuilder path = new StringBuilder();
        for (JsonMappingException.Reference ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                path.append(path.length() == 0 ? "" : ".").append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                path.append('[').append(ref.getIndex()).append(']');
            }
        }
        return path.toString();
    }
}

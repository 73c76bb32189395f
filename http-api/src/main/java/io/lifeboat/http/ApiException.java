package io.lifeboat.http;

import java.util.List;

/** An error the API reports as problem details; the message says what is wrong and what to do. */
public class ApiException extends RuntimeException {

    private final int status;
    private final List<Problem.FieldError> errors;

    public ApiException(int status, String message) {
        this(status, message, List.of());
    }

    public ApiException(int status, String message, List<Problem.FieldError> errors) {
        super(message);
        this.status = status;
        this.errors = errors;
    }

    public static ApiException badField(String field, String message) {
        return new ApiException(400, field + ": " + message, List.of(new Problem.FieldError(field, message)));
    }

    public static ApiException notFound(String message) {
        return new ApiException(404, message);
    }

    public static ApiException conflict(String message) {
        return new ApiException(409, message);
    }

    public int status() {
        return status;
    }

    public List<Problem.FieldError> errors() {
        return errors;
    }
}

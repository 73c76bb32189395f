package io.lifeboat.stack;

/** A server of the local stack could not be started or stopped; the message says what to do. */
public class StackException extends RuntimeException {
    public StackException(String message) {
        super(message);
    }

    public StackException(String message, Throwable cause) {
        super(message, cause);
    }
}

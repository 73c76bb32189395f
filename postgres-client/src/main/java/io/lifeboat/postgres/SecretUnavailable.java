package io.lifeboat.postgres;

/** A secret reference that cannot be resolved here; the message names the reference, never a value. */
public class SecretUnavailable extends Exception {
    public SecretUnavailable(String message) {
        super(message);
    }
}

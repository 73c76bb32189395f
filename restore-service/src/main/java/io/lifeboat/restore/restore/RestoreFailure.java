package io.lifeboat.restore.restore;

/** A restore step failed; the target is untouched unless the step says otherwise. */
public class RestoreFailure extends Exception {
    private final String step;

    public RestoreFailure(String step, String message) {
        super(message);
        this.step = step;
    }

    public RestoreFailure(String step, String message, Throwable cause) {
        super(message, cause);
        this.step = step;
    }

    public String step() {
        return step;
    }
}

package io.lifeboat.backup.backup;

/** A backup step failed; {@code step} names where (pre-hook, snapshot, dump, archive, upload, manifest). */
public class BackupFailure extends Exception {
    private final String step;

    public BackupFailure(String step, String message) {
        super(message);
        this.step = step;
    }

    public BackupFailure(String step, String message, Throwable cause) {
        super(message, cause);
        this.step = step;
    }

    public String step() {
        return step;
    }
}

package io.lifeboat.backup.backup;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** Runs a source's pre/post hook with {@code sh -c}, bounded in time, with its output in the error. */
final class Hooks {
    private Hooks() {
    }

    static void run(String step, String command, Duration timeout) throws BackupFailure {
        if (command == null || command.isBlank()) {
            return;
        }
        try {
            Process process = new ProcessBuilder("sh", "-c", command).redirectErrorStream(true).start();
            process.getOutputStream().close();
            byte[] output = process.getInputStream().readNBytes(16 * 1024);
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new BackupFailure(step, step + " did not finish within " + timeout.toSeconds() + " s: " + command);
            }
            if (process.exitValue() != 0) {
                throw new BackupFailure(step, step + " exited " + process.exitValue() + ": "
                        + new String(output, StandardCharsets.UTF_8).strip());
            }
        } catch (IOException e) {
            throw new BackupFailure(step, step + " could not run: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BackupFailure(step, step + " interrupted");
        }
    }
}

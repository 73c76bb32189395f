package io.lifeboat.backup.backup;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * Runs a source's pre/post hook with {@code sh -c}, bounded in time: on timeout the hook and every process it
 * started are killed. What the hook printed never leaves here except as a short, redacted excerpt of its last
 * lines, for the failure message.
 */
final class Hooks {

    /** Characters of hook output a failure message may carry. */
    static final int EXCERPT_CHARS = 200;
    private static final int KEPT_BYTES = 4096;
    private static final Pattern SECRET_ASSIGNMENT = Pattern.compile(
            "(?i)(passw(or)?d|pwd|secret|token|api[_-]?key|access[_-]?key|credential)(\\S*\\s*[=:]\\s*)\\S+");
    private static final Pattern BEARER = Pattern.compile("(?i)(bearer|basic)\\s+\\S+");
    private static final Pattern LONG_OPAQUE = Pattern.compile("[A-Za-z0-9+/_\\-=]{32,}");

    private Hooks() {
    }

    static void run(String step, String command, Duration timeout) throws BackupFailure {
        if (command == null || command.isBlank()) {
            return;
        }
        Process process;
        try {
            process = new ProcessBuilder("sh", "-c", command).redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        } catch (IOException e) {
            throw new BackupFailure(step, step + " could not run: " + e.getMessage(), e);
        }
        // read in the background: the pipe stays open as long as any child holds it, so reading it here
        // would wait for the children instead of the timeout
        OutputTail tail = new OutputTail(process.getInputStream());
        Thread reader = new Thread(tail, "hook-output");
        reader.setDaemon(true);
        reader.start();
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                killTree(process);
                throw new BackupFailure(step, step + " did not finish within " + timeout.toSeconds()
                        + " s; it was killed with the processes it started");
            }
            if (process.exitValue() != 0) {
                reader.join(1000);
                String excerpt = excerpt(tail.text());
                throw new BackupFailure(step, step + " exited " + process.exitValue() + (excerpt.isEmpty() ? "" : ": " + excerpt));
            }
        } catch (InterruptedException e) {
            killTree(process);
            Thread.currentThread().interrupt();
            throw new BackupFailure(step, step + " interrupted");
        }
    }

    /** The hook and its descendants, children first, so none is left running or re-parented. */
    static void killTree(Process process) {
        ProcessHandle handle = process.toHandle();
        handle.descendants().forEach(ProcessHandle::destroyForcibly);
        handle.destroyForcibly();
        try {
            handle.onExit().get(5, TimeUnit.SECONDS);
        } catch (Exception ignored) {
            // the kill was sent; nothing more to do
        }
    }

    /** The last {@value #EXCERPT_CHARS} characters, with anything that looks like a secret replaced by ***. */
    static String excerpt(String output) {
        String redacted = SECRET_ASSIGNMENT.matcher(output).replaceAll("$1$3***");
        redacted = BEARER.matcher(redacted).replaceAll("$1 ***");
        redacted = LONG_OPAQUE.matcher(redacted).replaceAll("***");
        redacted = redacted.strip().replaceAll("\\s+", " ");
        return redacted.length() <= EXCERPT_CHARS ? redacted : "…" + redacted.substring(redacted.length() - EXCERPT_CHARS);
    }

    /** Keeps the last few KiB of a stream. */
    private static final class OutputTail implements Runnable {
        private final InputStream in;
        private final byte[] ring = new byte[KEPT_BYTES];
        private long written;

        OutputTail(InputStream in) {
            this.in = in;
        }

        @Override
        public void run() {
            byte[] buf = new byte[1024];
            int n;
            try (in) {
                while ((n = in.read(buf)) > 0) {
                    synchronized (this) {
                        for (int i = 0; i < n; i++) {
                            ring[(int) (written++ % KEPT_BYTES)] = buf[i];
                        }
                    }
                }
            } catch (IOException ignored) {
                // the process is gone
            }
        }

        synchronized String text() {
            int size = (int) Math.min(written, KEPT_BYTES);
            byte[] out = new byte[size];
            for (int i = 0; i < size; i++) {
                out[i] = ring[(int) ((written - size + i) % KEPT_BYTES)];
            }
            return new String(out, StandardCharsets.UTF_8);
        }
    }
}

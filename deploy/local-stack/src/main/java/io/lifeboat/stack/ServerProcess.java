package io.lifeboat.stack;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * A server run as a child process with its output in a log file and its PID in a file, so that a later
 * `lifeboat down` (another JVM) can stop exactly what `up` started.
 */
public final class ServerProcess {

    private final String name;
    private final Path logFile;
    private final Path pidFile;

    public ServerProcess(String name, Path logFile, Path pidFile) {
        this.name = name;
        this.logFile = logFile;
        this.pidFile = pidFile;
    }

    public String name() {
        return name;
    }

    public Path logFile() {
        return logFile;
    }

    /** Starts the command detached from this JVM's streams; truncates the log so readiness never sees an old run. */
    public long start(List<String> command, Path workDir, java.util.Map<String, String> env) throws IOException {
        Files.createDirectories(logFile.getParent());
        Files.createDirectories(pidFile.getParent());
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(workDir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.to(logFile.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        builder.environment().putAll(env);
        Process process = builder.start();
        Files.writeString(pidFile, Long.toString(process.pid()));
        return process.pid();
    }

    /** The running process recorded in the PID file, if it is still alive. */
    public Optional<ProcessHandle> running() {
        if (!Files.exists(pidFile)) {
            return Optional.empty();
        }
        try {
            long pid = Long.parseLong(Files.readString(pidFile).trim());
            return ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** Waits until {@code ready} holds; fails naming the log file when the process dies or the timeout passes. */
    public void awaitReady(BooleanSupplier ready, Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            if (ready.getAsBoolean()) {
                return;
            }
            if (running().isEmpty()) {
                throw new StackException(name + " exited before it was ready; see its log: " + logFile + logTail());
            }
            sleep(200);
        }
        throw new StackException(name + " was not ready within " + timeout.toSeconds() + " s; see its log: " + logFile
                + logTail());
    }

    /** The last lines of the log, so a failure report carries the cause even when the folder is gone. */
    private String logTail() {
        try {
            List<String> lines = Files.readAllLines(logFile);
            return "\n--- last lines of " + logFile.getFileName() + " ---\n"
                    + String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    /** SIGTERM, then SIGKILL after the grace period; waits for the process and its children to go. */
    public boolean stop(Duration grace) {
        Optional<ProcessHandle> handle = running();
        try {
            if (handle.isEmpty()) {
                return false;
            }
            ProcessHandle process = handle.get();
            List<ProcessHandle> children = process.descendants().toList();
            process.destroy();
            try {
                process.onExit().get(grace.toMillis(), TimeUnit.MILLISECONDS);
            } catch (Exception timeout) {
                process.destroyForcibly();
                try {
                    process.onExit().get(10, TimeUnit.SECONDS);
                } catch (Exception ignored) {
                    // reported by the caller through status
                }
            }
            children.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
            return true;
        } finally {
            try {
                Files.deleteIfExists(pidFile);
            } catch (IOException ignored) {
                // a stale pid file is checked for liveness before use
            }
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StackException("interrupted");
        }
    }
}

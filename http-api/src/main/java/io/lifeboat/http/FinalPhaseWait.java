package io.lifeboat.http;

import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * {@code waitSeconds} on a long operation's GET: the answer comes as soon as the operation reaches a final phase, or
 * after that many seconds (0 to {@value #MAX_SECONDS}; 0, the default, answers at once), holding the operation as it
 * is then. A client learns the end the moment it happens, with one request, instead of polling: polling 20 times a
 * second cost restore-service ~0.5 CPU-seconds of a 4-second restore on 2 cores (JWT checks, reads, JSON), CPU the
 * restore itself needed (bench/RESULTS.md). The service calls {@link #reached()} when one of its operations reaches a
 * final phase; a waiter also reads its operation again every second, for one finished by another instance.
 */
@ApplicationScoped
public class FinalPhaseWait {

    public static final int MAX_SECONDS = 60;
    private static final long RECHECK_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final Object lock = new Object();
    /** Counts {@link #reached()} calls: a waiter sleeps until it moves (or a second passes). */
    private long reached;

    /** The {@code waitSeconds} query parameter (0 when absent), or a 400 naming it. */
    public static Duration seconds(String waitSeconds) {
        if (waitSeconds == null || waitSeconds.isBlank()) {
            return Duration.ZERO;
        }
        try {
            int value = Integer.parseInt(waitSeconds.trim());
            if (value >= 0 && value <= MAX_SECONDS) {
                return Duration.ofSeconds(value);
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw ApiException.badField("waitSeconds", "must be a whole number of seconds from 0 to " + MAX_SECONDS
                + " (got '" + waitSeconds + "')");
    }

    /** An operation of this service reached a final phase (its transaction committed): waiters read theirs again. */
    public void reached() {
        synchronized (lock) {
            reached++;
            lock.notifyAll();
        }
    }

    /**
     * Reads the operation with {@code read} until {@code isFinal} holds or {@code max} has passed (a zero wait reads
     * once), and returns the last read. Each read must see committed state (a fresh transaction, not a cached entity).
     */
    public <T> T await(Supplier<T> read, Predicate<T> isFinal, Duration max) {
        long deadline = System.nanoTime() + max.toNanos();
        while (true) {
            long seen;
            synchronized (lock) {
                seen = reached;
            }
            T current = read.get();
            long left = deadline - System.nanoTime();
            if (left <= 0 || isFinal.test(current)) {
                return current;
            }
            long until = System.nanoTime() + Math.min(left, RECHECK_NANOS);
            synchronized (lock) {
                long wait;
                while (reached == seen && (wait = until - System.nanoTime()) > 0) {
                    try {
                        TimeUnit.NANOSECONDS.timedWait(lock, wait);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return read.get();
                    }
                }
            }
        }
    }
}

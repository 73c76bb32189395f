package io.lifeboat.testsupport;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Busy threads that keep every core loaded while a concurrency test runs: CI may run on a busy machine, and a
 * race that hides on a quiet one must show here.
 */
public final class CpuLoad implements AutoCloseable {

    private final AtomicBoolean running = new AtomicBoolean(true);
    private final List<Thread> threads = new ArrayList<>();

    private CpuLoad(int threads) {
        for (int i = 0; i < threads; i++) {
            Thread t = new Thread(() -> {
                long x = 0;
                while (running.get()) {
                    x += System.nanoTime() % 7;
                }
                if (x == 42) System.out.print(""); // keep the loop from being optimised away
            }, "cpu-load-" + i);
            t.setDaemon(true);
            t.setPriority(Thread.NORM_PRIORITY);
            t.start();
            this.threads.add(t);
        }
    }

    /** Two busy threads per core. */
    public static CpuLoad onEveryCore() {
        return new CpuLoad(Runtime.getRuntime().availableProcessors() * 2);
    }

    @Override
    public void close() {
        running.set(false);
        for (Thread t : threads) {
            try {
                t.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}

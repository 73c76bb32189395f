package io.lifeboat.http;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Time bounds here are lower bounds or generous upper ones (30 s against 1 s), so a busy machine cannot fail them. */
class FinalPhaseWaitTest {

    private final FinalPhaseWait waits = new FinalPhaseWait();

    @Test
    void aWaiterAnswersWithTheFinalPhaseOnceTheOperationReachesIt() throws Exception {
        AtomicReference<String> phase = new AtomicReference<>("InProgress");
        CountDownLatch firstRead = new CountDownLatch(1);
        CompletableFuture<String> answer = CompletableFuture.supplyAsync(() -> waits.await(() -> {
            firstRead.countDown();
            return phase.get();
        }, "Completed"::equals, Duration.ofSeconds(30)));
        assertTrue(firstRead.await(30, TimeUnit.SECONDS));
        phase.set("Completed");
        waits.reached();
        assertEquals("Completed", answer.get(30, TimeUnit.SECONDS));
    }

    @Test
    void anOperationThatStaysActiveIsAnsweredAsItIsAfterTheWaitAndNotBefore() {
        long started = System.nanoTime();
        String answer = waits.await(() -> "InProgress", "Completed"::equals, Duration.ofMillis(1500));
        assertEquals("InProgress", answer);
        assertTrue(System.nanoTime() - started >= Duration.ofMillis(1500).toNanos(), "answered before the wait was over");
    }

    @Test
    void anOperationFinishedWithoutASignalHereIsSeenAtTheNextReadASecondLater() {
        // another instance finished it: nothing calls reached() in this one
        AtomicInteger reads = new AtomicInteger();
        long started = System.nanoTime();
        String answer = waits.await(() -> reads.incrementAndGet() < 3 ? "InProgress" : "Failed",
                p -> p.equals("Completed") || p.equals("Failed"), Duration.ofSeconds(30));
        assertEquals("Failed", answer);
        assertEquals(3, reads.get());
        assertTrue(System.nanoTime() - started < Duration.ofSeconds(30).toNanos(), "waited for the whole wait");
    }

    @Test
    void aZeroWaitReadsTheOperationOnce() {
        AtomicInteger reads = new AtomicInteger();
        assertEquals("InProgress", waits.await(() -> {
            reads.incrementAndGet();
            return "InProgress";
        }, "Completed"::equals, Duration.ZERO));
        assertEquals(1, reads.get());
    }

    @Test
    void waitSecondsIsAWholeNumberFrom0To60() {
        assertEquals(Duration.ZERO, FinalPhaseWait.seconds(null));
        assertEquals(Duration.ofSeconds(60), FinalPhaseWait.seconds("60"));
        for (String bad : new String[]{"61", "-1", "1.5", "soon"}) {
            ApiException e = assertThrows(ApiException.class, () -> FinalPhaseWait.seconds(bad));
            assertTrue(e.getMessage().startsWith("waitSeconds: must be a whole number of seconds from 0 to 60"), e.getMessage());
        }
    }
}

package io.lifeboat.backup.storage;

import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class FileIdentityTest {

    private static long nanos(Instant t) {
        return t.getEpochSecond() * 1_000_000_000L + t.getNano();
    }

    @Test
    void onNanosecondTimesATenthOfASecondIsSafelyInThePast() {
        long before = nanos(Instant.now().minusMillis(100)) | 1; // not a whole second
        assertThat(new FileIdentity(1, before, before, "1").settled()).isTrue();
    }

    @Test
    void onAFilesystemKeepingWholeSecondsTwoSecondsAreNeeded() {
        // the last whole second over 60 ms ago: settled by the nanosecond rule, not by the whole-seconds one (for
        // at least the 0.9 s until it is two seconds old)
        long second = nanos(Instant.now().minusMillis(60)) / 1_000_000_000L * 1_000_000_000L;
        assertThat(new FileIdentity(1, second, second, "1").settled()).as("under two seconds ago, whole seconds").isFalse();
        long older = second - 3_000_000_000L;
        assertThat(new FileIdentity(1, older, older, "1").settled()).isTrue();
    }

    @Test
    void aChangeTimeInTheFutureIsNeverSettled() {
        long future = nanos(Instant.now().plusSeconds(3600));
        assertThat(new FileIdentity(1, nanos(Instant.now()) - 5_000_000_000L, future, "1").settled()).isFalse();
    }
}

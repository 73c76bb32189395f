package io.lifeboat.restore.restore;

import java.time.Duration;
import java.util.Optional;

/** The configured pauses around a swap (off by default), so crash tests can kill the process at exactly there. */
final class FaultInjection {
    private FaultInjection() {
    }

    static void pause(Optional<Duration> pause) {
        if (pause.isPresent()) {
            try {
                Thread.sleep(pause.get().toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}

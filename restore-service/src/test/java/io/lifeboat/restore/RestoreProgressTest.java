package io.lifeboat.restore;

import io.lifeboat.restore.restore.Restore;
import io.lifeboat.restore.restore.RestorePhase;
import io.lifeboat.restore.restore.RestoreView;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/** What `GET /restores/{id}` shows an on-call engineer while a restore runs: bytes, percent, rate and ETA. */
class RestoreProgressTest {

    private static Restore running(long done, Long total, Duration since) {
        Restore r = new Restore();
        r.id = "restore-progress";
        r.phase = RestorePhase.InProgress;
        r.startedAt = Instant.now().minus(since);
        r.bytesDone = done;
        r.bytesTotal = total;
        return r;
    }

    @Test
    void aRunningRestoreShowsBytesPercentRateAndEta() {
        RestoreView.Progress p = RestoreView.of(running(300L << 20, 1200L << 20, Duration.ofSeconds(10))).progress();
        assertThat(p.bytesDone()).isEqualTo(300L << 20);
        assertThat(p.bytesTotal()).isEqualTo(1200L << 20);
        assertThat(p.percent()).isEqualTo(25.0);
        // 300 MiB in 10 s: 30 MiB/s, so the 900 MiB left take about 30 s
        assertThat(p.bytesPerSecond()).isBetween(29.0 * (1 << 20), 30.1 * (1 << 20));
        assertThat(p.eta()).isBetween(Duration.ofSeconds(29), Duration.ofSeconds(31));
    }

    @Test
    void noEtaBeforeAnyByteArrivedAndNoProgressOnceFinished() {
        RestoreView.Progress start = RestoreView.of(running(0, 1000L, Duration.ofSeconds(2))).progress();
        assertThat(start.percent()).isZero();
        assertThat(start.eta()).isNull();

        Restore done = running(1000, 1000L, Duration.ofSeconds(5));
        done.phase = RestorePhase.Completed;
        done.completedAt = Instant.now();
        RestoreView view = RestoreView.of(done);
        assertThat(view.progress()).isNull();
        assertThat(view.throughputBytesPerSecond()).isPositive();
    }
}

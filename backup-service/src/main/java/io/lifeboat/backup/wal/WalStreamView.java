package io.lifeboat.backup.wal;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.time.Duration;
import java.time.Instant;

/**
 * A continuous source's WAL stream as the API shows it: who streams it, how far the bucket has it, and whether that
 * is restorable (a verified base backup and a gap-free chain reach it); {@code exposure} is now minus
 * {@code restorableUntil}, the data a disaster now would lose.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record WalStreamView(String source, String state, String detail, String instance, Instant leaseUntil,
                            Integer timeline, String storedLsn, String segment, Instant coveredUntil,
                            Instant restorableUntil, Duration exposure) {

    public static WalStreamView of(WalStream w) {
        Instant restorableUntil = w.restorable ? w.coveredUntil : null;
        return new WalStreamView(w.source, w.state, w.detail, w.ownerInstance, w.leaseUntil, w.timeline, w.storedLsn,
                w.segment, w.coveredUntil, restorableUntil,
                restorableUntil == null ? null : Duration.between(restorableUntil, Instant.now()));
    }
}

package io.lifeboat.bucket.wal;

import java.time.Instant;

/**
 * {@code wal/coverage.json} of a continuous source, rewritten at every flush: the WAL stored reaches
 * {@code endLsn} in segment {@code segment} of {@code timeline}, so every transaction committed before
 * {@code coveredUntil} (the source server's clock) is in the bucket. It lets the recovery point advance while an
 * idle source writes no new WAL; it counts only when the chain of segments up to {@code segment} is complete.
 */
public record WalCoverage(String source, String systemId, int timeline, String segment, String endLsn,
                          Instant coveredUntil, Instant writtenAt, String mac) {
}

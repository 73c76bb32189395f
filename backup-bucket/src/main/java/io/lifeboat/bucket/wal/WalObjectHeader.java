package io.lifeboat.bucket.wal;

import io.lifeboat.events.backup.Encryption;

import java.time.Instant;

/**
 * The signed header every WAL object in the bucket starts with (a segment, the partial segment, or a timeline
 * history file) of cluster {@code systemId} of a source. {@code sha256} and {@code storedBytes} describe the payload after the header exactly as stored
 * (compressed, then encrypted when the source is); {@code plainBytes} is the WAL it holds, from the segment's start
 * ({@code endLsn} is where that WAL ends). {@code coveredUntil}: every transaction the source committed before this
 * instant is in this object or an earlier one of the same gap-free chain (null when no measurement fell in it).
 * Segments are zstd-compressed (and encrypted with their source); history files are stored as they are
 * ({@code compression: none}): a few lines of positions that a window is computed from.
 */
public record WalObjectHeader(int formatVersion, String source, String systemId, int timeline, String name, boolean partial,
                              long plainBytes, long storedBytes, String sha256, String endLsn, Instant coveredUntil,
                              String compression, Encryption encryption, Instant storedAt, String mac) {

    public static final int FORMAT_VERSION = 1;
}

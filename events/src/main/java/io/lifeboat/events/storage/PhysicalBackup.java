package io.lifeboat.events.storage;

/**
 * The WAL a physical base backup ({@code pg_basebackup}) of a continuous source needs: the cluster it came from
 * ({@code systemId}), its {@code timeline}, and the WAL range from {@code startLsn} (at or before the backup's
 * start checkpoint) to {@code stopLsn} (at or after its end): recovery from it is consistent once WAL up to
 * {@code stopLsn} is replayed. {@code superuser} is the cluster's bootstrap role, the one a recovery server
 * connects as; {@code walSegmentSize} names the segment files.
 */
public record PhysicalBackup(String systemId, int timeline, String startLsn, String stopLsn, long walSegmentSize,
                             String superuser) {
}

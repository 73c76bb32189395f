package io.lifeboat.events.backup;

import io.lifeboat.events.EventPayload;
import java.time.Instant;

/** A stored backup was re-read and checked against its manifest (and the bucket's reachability). */
public record BackupVerified(String backupId, String source, boolean ok, String detail, boolean bucketReachable, Instant verifiedAt) implements EventPayload {

    @Override
    public String subject() {
        return source;
    }
}

package io.lifeboat.restore.restore;

import io.lifeboat.events.storage.BackupManifest;
import io.lifeboat.restore.target.Target;

import java.util.concurrent.atomic.AtomicLong;

/** The steps of a restore into one kind of target, after the backup has been identified. */
interface TargetSteps {

    /** Downloads, restores, verifies and (in replace mode) swaps; counts stored bytes read into {@code downloaded}. */
    void restore(Restore restore, Target target, BackupManifest manifest, AtomicLong downloaded) throws Exception;
}

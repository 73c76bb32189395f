package io.lifeboat.backup.backup;

import java.util.Set;

/** Phases of a backup (Velero-style): New → InProgress → Completed | Failed. */
public enum BackupPhase {
    New, InProgress, Completed, Failed;

    public boolean canMoveTo(BackupPhase next) {
        return switch (this) {
            case New -> Set.of(InProgress, Failed).contains(next);
            case InProgress -> Set.of(Completed, Failed).contains(next);
            case Completed, Failed -> false;
        };
    }

    public boolean active() {
        return this == New || this == InProgress;
    }
}

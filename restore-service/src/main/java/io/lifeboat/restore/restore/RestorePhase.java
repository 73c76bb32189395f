package io.lifeboat.restore.restore;

import java.util.Set;

/** New → InProgress → Verifying → Completed, or Failed from any running phase. */
public enum RestorePhase {
    New, InProgress, Verifying, Completed, Failed;

    public boolean canMoveTo(RestorePhase next) {
        return switch (this) {
            case New -> Set.of(InProgress, Failed).contains(next);
            case InProgress -> Set.of(Verifying, Failed).contains(next);
            case Verifying -> Set.of(Completed, Failed).contains(next);
            case Completed, Failed -> false;
        };
    }

    public boolean active() {
        return this == New || this == InProgress || this == Verifying;
    }
}

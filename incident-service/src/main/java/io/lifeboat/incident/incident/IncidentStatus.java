package io.lifeboat.incident.incident;

import java.util.EnumSet;
import java.util.Set;

/** Declared → Investigating → Restoring → Monitoring → Resolved → Reviewed, with the shortcuts responders take. */
public enum IncidentStatus {
    Declared, Investigating, Restoring, Monitoring, Resolved, Reviewed;

    public Set<IncidentStatus> next() {
        return switch (this) {
            case Declared -> EnumSet.of(Investigating, Restoring);
            case Investigating -> EnumSet.of(Restoring, Monitoring, Resolved);
            case Restoring -> EnumSet.of(Monitoring, Resolved);
            case Monitoring -> EnumSet.of(Restoring, Resolved);
            case Resolved -> EnumSet.of(Reviewed);
            case Reviewed -> EnumSet.noneOf(IncidentStatus.class);
        };
    }

    public boolean open() {
        return this != Resolved && this != Reviewed;
    }
}

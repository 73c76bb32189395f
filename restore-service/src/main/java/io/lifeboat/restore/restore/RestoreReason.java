package io.lifeboat.restore.restore;

/** Why a restore runs; incident and drill restores name their incident or drill. */
public enum RestoreReason {
    incident, drill, manual
}

package io.lifeboat.restore.restore;

/** {@code new}: restore beside the current data; {@code replace}: restore, verify, then swap (old data moved aside). */
public enum RestoreMode {
    @com.fasterxml.jackson.annotation.JsonProperty("new") NEW,
    @com.fasterxml.jackson.annotation.JsonProperty("replace") REPLACE
}

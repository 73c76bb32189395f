package io.lifeboat.restore.target;

/** What a restore writes into: a PostgreSQL server or a directory. */
public enum TargetKind {
    postgres, directory
}

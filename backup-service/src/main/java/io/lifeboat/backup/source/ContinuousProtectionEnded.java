package io.lifeboat.backup.source;

/**
 * A continuous source was deleted or made non-continuous; fired in the changing transaction and acted on after it
 * commits: its stream stops and its replication slot is dropped on the source.
 */
public record ContinuousProtectionEnded(String name, String host, int port, String database, String user,
                                        String passwordRef, boolean encrypted) {

    ContinuousProtectionEnded(Source s) {
        this(s.name, s.host, s.port, s.databaseName, s.dbUser, s.passwordRef, s.encryption);
    }
}

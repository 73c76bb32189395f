package io.lifeboat.backup.wal;

import io.lifeboat.backup.source.Source;

/** What a WAL stream needs of its source, copied when the stream starts (a changed source restarts the stream). */
public record StreamedSource(String name, String host, int port, String database, String user, String passwordRef,
                             boolean encrypted) {

    public static StreamedSource of(Source s) {
        return new StreamedSource(s.name, s.host, s.port, s.databaseName, s.dbUser, s.passwordRef, s.encryption);
    }
}

package io.lifeboat.restore.target;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.time.Instant;
import java.util.List;

@JsonInclude(JsonInclude.Include.NON_NULL)
public record TargetView(String name, TargetKind kind, String source, String host, Integer port, String database,
                         String user, String passwordRef, String path, boolean production, List<String> httpCheckUrls,
                         Instant createdAt, Instant updatedAt) {
    public static TargetView of(Target t) {
        return new TargetView(t.name, t.kind, t.source, t.host, t.port, t.database, t.dbUser, t.passwordRef, t.path,
                t.production, t.httpCheckUrls, t.createdAt, t.updatedAt);
    }
}

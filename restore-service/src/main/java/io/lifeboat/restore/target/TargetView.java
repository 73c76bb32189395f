package io.lifeboat.restore.target;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.time.Instant;

@JsonInclude(JsonInclude.Include.NON_NULL)
public record TargetView(String name, TargetKind kind, String source, String host, Integer port, String user,
                         String passwordRef, String path, boolean production, Instant createdAt, Instant updatedAt) {
    public static TargetView of(Target t) {
        return new TargetView(t.name, t.kind, t.source, t.host, t.port, t.dbUser, t.passwordRef, t.path, t.production,
                t.createdAt, t.updatedAt);
    }
}

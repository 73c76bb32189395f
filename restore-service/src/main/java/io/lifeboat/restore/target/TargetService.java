package io.lifeboat.restore.target;

import io.lifeboat.restore.rest.ApiException;
import io.lifeboat.restore.rest.Problem;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/** Owns the target registry. */
@ApplicationScoped
public class TargetService {

    public List<Target> list() {
        return Target.list("ORDER BY name");
    }

    public Target get(String name) {
        Target target = Target.findById(name);
        if (target == null) {
            throw ApiException.notFound("target '" + name + "' does not exist; GET /targets lists them");
        }
        return target;
    }

    /** The home target of a source, if one is registered. */
    public java.util.Optional<Target> homeOf(String source) {
        return Target.find("source", source).firstResultOptional();
    }

    @Transactional
    public boolean put(String name, TargetRequest r) {
        if (name == null || !name.matches("[a-z0-9][a-z0-9-]{0,62}")) {
            throw ApiException.badField("name", "must be 1-63 characters of a-z, 0-9 and '-'");
        }
        List<Problem.FieldError> errors = new ArrayList<>();
        if (r.kind() == TargetKind.postgres) {
            if (r.host() == null || r.host().isBlank()) errors.add(new Problem.FieldError("host", "is required for a postgres target"));
            if (r.port() == null) errors.add(new Problem.FieldError("port", "is required for a postgres target"));
            if (r.user() == null) errors.add(new Problem.FieldError("user", "is required for a postgres target"));
            if (r.passwordRef() == null) errors.add(new Problem.FieldError("passwordRef", "is required for a postgres target"));
        } else if (r.kind() == TargetKind.directory) {
            if (r.path() == null || !r.path().startsWith("/")) {
                errors.add(new Problem.FieldError("path", "must be an absolute directory path"));
            } else if (List.of(r.path().split("/")).contains("..")) {
                errors.add(new Problem.FieldError("path", "must not contain '..'"));
            }
        }
        if (r.source() != null) {
            homeOf(r.source()).filter(t -> !t.name.equals(name)).ifPresent(t -> errors.add(new Problem.FieldError("source",
                    "source '" + r.source() + "' already has home target '" + t.name + "'")));
        }
        if (!errors.isEmpty()) {
            throw new ApiException(400, String.join("; ", errors.stream().map(e -> e.field() + ": " + e.message()).toList()), errors);
        }
        Target target = Target.findById(name);
        boolean created = target == null;
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        if (created) {
            target = new Target();
            target.name = name;
            target.createdAt = now;
        }
        target.kind = r.kind();
        target.source = r.source();
        target.host = r.host();
        target.port = r.port();
        target.dbUser = r.user();
        target.passwordRef = r.passwordRef();
        target.path = r.path() == null ? null : Path.of(r.path()).normalize().toString();
        target.production = Boolean.TRUE.equals(r.production());
        target.updatedAt = now;
        target.persist();
        return created;
    }
}

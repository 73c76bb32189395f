package io.lifeboat.restore.target;

import io.lifeboat.http.ApiException;
import io.lifeboat.http.Problem;
import jakarta.enterprise.context.ApplicationScoped;
import io.lifeboat.postgres.Hosts;
import io.lifeboat.postgres.SecretReferences;
import jakarta.transaction.Transactional;

import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Owns the target registry: what a target may be, and that a non-production one never overlaps production. */
@ApplicationScoped
public class TargetService {

    private final SecretReferences secrets;
    private final ProtectedObjects protectedObjects;

    public TargetService(SecretReferences secrets, ProtectedObjects protectedObjects) {
        this.secrets = secrets;
        this.protectedObjects = protectedObjects;
    }

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
            Hosts.problem(r.host()).ifPresent(p -> errors.add(new Problem.FieldError("host", p)));
            if (r.port() == null) errors.add(new Problem.FieldError("port", "is required for a postgres target"));
            if (r.database() == null) {
                errors.add(new Problem.FieldError("database", "is required for a postgres target: the database a replace "
                        + "restore replaces (and the only one it touches)"));
            }
            if (r.user() == null) errors.add(new Problem.FieldError("user", "is required for a postgres target"));
            secrets.problem(r.passwordRef()).ifPresent(p -> errors.add(new Problem.FieldError("passwordRef", p)));
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
        if (!Boolean.TRUE.equals(r.production())) {
            Optional<String> overlap = r.kind() == TargetKind.postgres
                    ? protectedObjects.database(r.host(), r.port(), r.database(), name)
                    : protectedObjects.folder(Path.of(r.path()), name);
            if (overlap.isPresent()) {
                throw ApiException.conflict("non-production target '" + name + "' would resolve to " + overlap.get()
                        + "; a non-production target can never touch production data: name another database or folder");
            }
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
        target.database = r.database();
        target.dbUser = r.user();
        target.passwordRef = r.passwordRef();
        target.path = r.path() == null ? null : Path.of(r.path()).normalize().toString();
        target.production = Boolean.TRUE.equals(r.production());
        target.httpCheckUrls = r.httpCheckUrls() == null ? new ArrayList<>() : new ArrayList<>(r.httpCheckUrls());
        target.updatedAt = now;
        target.persist();
        return created;
    }
}

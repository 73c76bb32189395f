package io.lifeboat.backup.source;

import io.lifeboat.http.ApiException;
import io.lifeboat.http.Problem;
import io.lifeboat.events.backup.Retention;
import io.lifeboat.events.backup.SourceUpdated;
import io.lifeboat.outbox.Outbox;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import io.lifeboat.postgres.Hosts;
import io.lifeboat.postgres.SecretReferences;
import jakarta.transaction.Transactional;

import java.nio.file.Path;
import java.nio.file.FileSystems;
import java.util.Optional;
import java.util.regex.PatternSyntaxException;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** Owns sources: validation, storage and the {@code source.updated} event, in one transaction. */
@ApplicationScoped
public class SourceService {

    public static final String NAME_PATTERN = "[a-z0-9][a-z0-9-]{0,62}";
    static final Duration DEFAULT_RPO = Duration.ofHours(24);

    private final Outbox outbox;
    private final SecretReferences secrets;
    private final Event<ContinuousProtectionEnded> ended;

    public SourceService(Outbox outbox, SecretReferences secrets, Event<ContinuousProtectionEnded> ended) {
        this.outbox = outbox;
        this.secrets = secrets;
        this.ended = ended;
    }

    public List<Source> list() {
        return Source.list("ORDER BY name");
    }

    public Source get(String name) {
        Source source = Source.findById(name);
        if (source == null) {
            throw ApiException.notFound("source '" + name + "' does not exist; GET /sources lists them");
        }
        return source;
    }

    /**
     * Creates or replaces a source; returns true when it was created. Two changes need an admin: hooks (they run
     * shell commands on this host) and retention that keeps fewer backups than before (it deletes backups).
     */
    @Transactional
    public boolean put(String name, SourceRequest request, String actor, boolean admin) {
        checkName(name);
        validate(request);
        Source source = Source.findById(name);
        boolean created = source == null;
        SourceRequest.RetentionRequest retention = request.retention() == null
                ? new SourceRequest.RetentionRequest(null, 7, 4, null) : request.retention();
        if (!admin) {
            if (!Objects.equals(blankToNull(request.preHook()), created ? null : source.preHook)
                    || !Objects.equals(blankToNull(request.postHook()), created ? null : source.postHook)) {
                throw new ApiException(403, "preHook and postHook run shell commands on the backup-service host: setting "
                        + "or changing them needs an admin token");
            }
            if (!created) {
                RetentionPolicy.reduction(RetentionPolicy.of(source), RetentionPolicy.of(retention)).ifPresent(reduced -> {
                    throw new ApiException(403, "this retention keeps fewer backups than the current one (" + reduced
                            + "); reducing retention deletes backups and needs an admin token");
                });
            }
        }
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        if (created) {
            source = new Source();
            source.name = name;
            source.createdAt = now;
        }
        source.kind = request.kind();
        source.host = request.host();
        source.port = request.port();
        source.databaseName = request.database();
        source.dbUser = request.user();
        source.passwordRef = request.passwordRef();
        source.path = request.path() == null ? null : Path.of(request.path()).normalize().toString();
        String schedule = request.schedule() == null ? Schedules.DEFAULT : request.schedule().trim();
        if (created || !schedule.equals(source.schedule)) {
            source.nextRunAt = Schedules.nextAfter(schedule, now);
        }
        source.schedule = schedule;
        source.rpoTargetSeconds = (request.rpoTarget() == null ? DEFAULT_RPO : request.rpoTarget()).toSeconds();
        source.keepLast = retention.keepLast();
        source.keepDaily = retention.keepDaily();
        source.keepWeekly = retention.keepWeekly();
        source.maxAgeSeconds = retention.maxAge() == null ? null : retention.maxAge().toSeconds();
        source.preHook = blankToNull(request.preHook());
        source.postHook = blankToNull(request.postHook());
        source.encryption = Boolean.TRUE.equals(request.encryption());
        source.storage = request.storage() == null ? StorageLayout.archive : request.storage();
        source.sqliteFiles = request.sqliteFiles() == null || request.sqliteFiles().isEmpty() ? null
                : String.join(",", request.sqliteFiles());
        boolean wasContinuous = !created && source.continuous;
        source.continuous = Boolean.TRUE.equals(request.continuous());
        if (wasContinuous && !source.continuous) {
            ended.fire(new ContinuousProtectionEnded(source));
        }
        source.rowCountTables = request.rowCountTables() == null ? null : String.join(",", request.rowCountTables());
        source.updatedAt = now;
        source.persist();
        outbox.append(actor, updatedEvent(source, false));
        return created;
    }

    /** Removes the source; its backups stay in S3 (the bucket alone is enough to restore them). */
    @Transactional
    public void delete(String name, String actor) {
        Source source = get(name);
        if (source.continuous) {
            ended.fire(new ContinuousProtectionEnded(source));
        }
        source.delete();
        outbox.append(actor, updatedEvent(source, true));
    }

    static SourceUpdated updatedEvent(Source s, boolean removed) {
        return new SourceUpdated(s.name, s.kind.name(), s.schedule, Duration.ofSeconds(s.rpoTargetSeconds),
                new Retention(s.keepLast, s.keepDaily, s.keepWeekly,
                        s.maxAgeSeconds == null ? null : Duration.ofSeconds(s.maxAgeSeconds)),
                s.encryption, removed);
    }

    /** Why {@code pattern} cannot be a declared SQLite file pattern (a glob relative to the source's path). */
    private static Optional<String> sqlitePatternProblem(String pattern) {
        if (pattern == null || pattern.isBlank()) {
            return Optional.of("must not hold a blank pattern");
        }
        if (pattern.startsWith("/") || List.of(pattern.split("/")).contains("..")) {
            return Optional.of("'" + pattern + "' must be relative to the source's path, without '..'");
        }
        if (pattern.contains(",")) {
            return Optional.of("'" + pattern + "' must not contain ','; list each pattern on its own");
        }
        try {
            FileSystems.getDefault().getPathMatcher("glob:" + pattern);
            return Optional.empty();
        } catch (PatternSyntaxException e) {
            return Optional.of("'" + pattern + "' is not a glob pattern: " + e.getDescription());
        }
    }

    static void checkName(String name) {
        if (name == null || !name.matches(NAME_PATTERN)) {
            throw ApiException.badField("name", "must be 1-63 characters of a-z, 0-9 and '-', starting with a letter or digit");
        }
    }

    private void validate(SourceRequest r) {
        List<Problem.FieldError> errors = new ArrayList<>();
        if (r.kind() == SourceKind.postgres) {
            require(errors, "host", r.host());
            if (r.host() != null && !r.host().isBlank()) {
                Hosts.problem(r.host()).ifPresent(p -> errors.add(new Problem.FieldError("host", p)));
            }
            if (r.port() == null) errors.add(new Problem.FieldError("port", "is required for a postgres source"));
            require(errors, "database", r.database());
            require(errors, "user", r.user());
            require(errors, "passwordRef", r.passwordRef());
            if (r.passwordRef() != null && !r.passwordRef().isBlank()) {
                secrets.problem(r.passwordRef()).ifPresent(p -> errors.add(new Problem.FieldError("passwordRef", p)));
            }
            if (r.path() != null) errors.add(new Problem.FieldError("path", "is only for directory sources"));
        }
        if (Boolean.TRUE.equals(r.continuous()) && r.kind() != SourceKind.postgres) {
            errors.add(new Problem.FieldError("continuous", "is only for postgres sources (WAL streaming)"));
        }
        if (r.kind() == SourceKind.directory) {
            if (r.path() == null || r.path().isBlank()) {
                errors.add(new Problem.FieldError("path", "is required for a directory source"));
            } else if (!r.path().startsWith("/")) {
                errors.add(new Problem.FieldError("path", "must be absolute (start with /)"));
            } else if (List.of(r.path().split("/")).contains("..")) {
                errors.add(new Problem.FieldError("path", "must not contain '..'"));
            } else if (Path.of(r.path()).normalize().getNameCount() == 0) {
                errors.add(new Problem.FieldError("path", "must not be the root directory"));
            }
        }
        if (r.sqliteFiles() != null && !r.sqliteFiles().isEmpty()) {
            if (r.kind() != SourceKind.directory) {
                errors.add(new Problem.FieldError("sqliteFiles", "is only for directory sources"));
            }
            for (String pattern : r.sqliteFiles()) {
                sqlitePatternProblem(pattern).ifPresent(p -> errors.add(new Problem.FieldError("sqliteFiles", p)));
            }
        }
        if (r.storage() == StorageLayout.chunks && r.kind() != SourceKind.directory) {
            errors.add(new Problem.FieldError("storage", "chunks is only for directory sources (a database backup is stored as one archive)"));
        }
        if (r.schedule() != null) {
            Schedules.problem(r.schedule().trim()).ifPresent(p -> errors.add(new Problem.FieldError("schedule", p)));
        }
        if (r.rpoTarget() != null && (r.rpoTarget().isNegative() || r.rpoTarget().isZero())) {
            errors.add(new Problem.FieldError("rpoTarget", "must be a positive ISO-8601 duration such as PT24H"));
        }
        if (r.retention() != null) {
            var ret = r.retention();
            if (ret.maxAge() != null && (ret.maxAge().isNegative() || ret.maxAge().isZero())) {
                errors.add(new Problem.FieldError("retention.maxAge", "must be a positive ISO-8601 duration such as P30D"));
            }
            if (ret.keepLast() == null && ret.keepDaily() == null && ret.keepWeekly() == null && ret.maxAge() == null) {
                errors.add(new Problem.FieldError("retention", "must keep something: keepLast, keepDaily, keepWeekly or maxAge"));
            }
        }
        if (!errors.isEmpty()) {
            String detail = String.join("; ", errors.stream().map(e -> e.field() + ": " + e.message()).toList());
            throw new ApiException(400, detail, errors);
        }
    }

    private static void require(List<Problem.FieldError> errors, String field, String value) {
        if (value == null || value.isBlank()) {
            errors.add(new Problem.FieldError(field, "is required for a postgres source"));
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}

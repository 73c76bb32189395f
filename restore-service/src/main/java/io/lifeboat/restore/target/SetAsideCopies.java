package io.lifeboat.restore.target;

import io.lifeboat.http.ApiException;
import io.lifeboat.postgres.Identifiers;
import io.lifeboat.postgres.PostgresEndpoint;
import io.lifeboat.postgres.SecretReferences;
import io.lifeboat.postgres.SecretUnavailable;
import jakarta.enterprise.context.ApplicationScoped;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The damaged data replace restores moved aside ({@code <db>_corrupted_<timestamp>}, {@code <path>_corrupted_<date>}):
 * listed with size and age so they are never forgotten, and deleted only by an admin who names the copy. Nothing
 * deletes them on its own.
 */
@ApplicationScoped
public class SetAsideCopies {

    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMddHHmmss");
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyyMMdd");
    private static final DateTimeFormatter DAY_TIME = DateTimeFormatter.ofPattern("yyyyMMdd_HHmmss");

    private final SecretReferences secrets;

    public SetAsideCopies(SecretReferences secrets) {
        this.secrets = secrets;
    }

    /** One set-aside copy: its name (a database, or a folder beside the target), where it is, size and age. */
    public record Copy(String name, String location, long sizeBytes, Instant setAsideAt, Duration age) {
    }

    public List<Copy> list(Target target) {
        Instant now = Instant.now();
        List<Copy> copies = target.kind == TargetKind.postgres ? databases(target, now) : folders(target, now);
        copies.sort(Comparator.comparing(Copy::setAsideAt, Comparator.nullsLast(Comparator.reverseOrder())));
        return copies;
    }

    /** Deletes one copy; {@code confirm} must repeat its name. */
    public void delete(Target target, String copy, String confirm) {
        if (list(target).stream().noneMatch(c -> c.name().equals(copy))) {
            throw ApiException.notFound("'" + copy + "' is not a set-aside copy of target '" + target.name
                    + "'; GET /targets/" + target.name + "/set-aside lists them");
        }
        if (!copy.equals(confirm)) {
            throw ApiException.badField("confirm", "must repeat the copy's name '" + copy + "' to delete it for good");
        }
        try {
            if (target.kind == TargetKind.postgres) {
                try (Connection c = connect(target); Statement s = c.createStatement()) {
                    s.execute("DROP DATABASE " + Identifiers.quote(copy) + " WITH (FORCE)");
                }
            } else {
                try (Stream<Path> walk = Files.walk(Path.of(target.path).resolveSibling(copy))) {
                    for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                        Files.delete(p);
                    }
                }
            }
        } catch (SQLException | IOException e) {
            throw new ApiException(503, "cannot delete " + copy + ": " + e.getMessage());
        }
    }

    private List<Copy> databases(Target target, Instant now) {
        String prefix = target.database + "_corrupted_";
        List<Copy> copies = new ArrayList<>();
        try (Connection c = connect(target); PreparedStatement s = c.prepareStatement(
                "SELECT datname, pg_database_size(oid) FROM pg_database WHERE left(datname, ?) = ? ORDER BY datname")) {
            s.setInt(1, prefix.length());
            s.setString(2, prefix);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    String name = rs.getString(1);
                    copies.add(copy(name, "database " + name + " on " + target.host + ":" + target.port, rs.getLong(2),
                            stamp(name.substring(prefix.length())), now));
                }
            }
        } catch (SQLException e) {
            throw new ApiException(503, "cannot list the databases of target '" + target.name + "': " + e.getMessage());
        }
        return copies;
    }

    private static List<Copy> folders(Target target, Instant now) {
        Path home = Path.of(target.path);
        String prefix = home.getFileName() + "_corrupted_";
        List<Copy> copies = new ArrayList<>();
        if (home.getParent() == null || !Files.isDirectory(home.getParent())) {
            return copies;
        }
        try (Stream<Path> siblings = Files.list(home.getParent())) {
            for (Path p : siblings.filter(p -> p.getFileName().toString().startsWith(prefix)
                    && Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)).toList()) {
                Instant at = stamp(p.getFileName().toString().substring(prefix.length()));
                copies.add(copy(p.getFileName().toString(), p.toString(), size(p),
                        at != null ? at : Files.getLastModifiedTime(p).toInstant(), now));
            }
        } catch (IOException e) {
            throw new ApiException(503, "cannot list beside " + home + ": " + e.getMessage());
        }
        return copies;
    }

    private static Copy copy(String name, String location, long size, Instant at, Instant now) {
        return new Copy(name, location, size, at, at == null ? null : Duration.between(at, now).withNanos(0));
    }

    /** The time a copy's name carries: yyyyMMddHHmmss (databases), yyyyMMdd or yyyyMMdd_HHmmss (folders). */
    static Instant stamp(String suffix) {
        try {
            if (suffix.matches("\\d{14}")) return LocalDateTime.parse(suffix, STAMP).toInstant(ZoneOffset.UTC);
            if (suffix.matches("\\d{8}_\\d{6}")) return LocalDateTime.parse(suffix, DAY_TIME).toInstant(ZoneOffset.UTC);
            if (suffix.matches("\\d{8}")) return LocalDate.parse(suffix, DAY).atStartOfDay().toInstant(ZoneOffset.UTC);
        } catch (RuntimeException ignored) {
            // not one of Lifeboat's names
        }
        return null;
    }

    private static long size(Path folder) throws IOException {
        long[] total = {0};
        Files.walkFileTree(folder, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                if (attrs.isRegularFile()) total[0] += attrs.size();
                return FileVisitResult.CONTINUE;
            }
        });
        return total[0];
    }

    private Connection connect(Target target) throws SQLException {
        try {
            return new PostgresEndpoint(target.host, target.port, target.dbUser).connect("postgres", secrets.resolve(target.passwordRef));
        } catch (SecretUnavailable e) {
            throw new SQLException(e.getMessage(), e);
        }
    }
}

package io.lifeboat.restore.restore;

import io.lifeboat.http.ApiException;
import io.lifeboat.restore.target.ProtectedObjects;
import io.lifeboat.restore.target.Target;
import io.lifeboat.restore.target.TargetKind;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.enterprise.context.ApplicationScoped;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.List;

/**
 * What a restore may touch, decided before anything starts: who may restore where (a drill's token only into
 * non-production targets, a replace of production only by an admin who names it), which database or folder it
 * will write, that a non-production target never resolves to production data, that a new restore never reuses an
 * existing name, and which URLs its checks may call.
 */
@ApplicationScoped
class RestoreSafety {

    private final ProtectedObjects protectedObjects;
    private final PostgresRestore postgres;

    RestoreSafety(ProtectedObjects protectedObjects, PostgresRestore postgres) {
        this.protectedObjects = protectedObjects;
        this.postgres = postgres;
    }

    void checkAuthority(SecurityIdentity identity, Target target, RestoreMode mode, RestoreReason reason, String confirm) {
        if (!identity.hasRole("operator")) {
            // the drill-service token: drills restore copies into isolated targets, nothing else
            if (reason != RestoreReason.drill || target.production || mode != RestoreMode.NEW) {
                throw new ApiException(403, "this token may only run drill restores (reason drill, mode new) into "
                        + "non-production targets; '" + target.name + "' with mode " + mode.name().toLowerCase() + " needs an operator");
            }
        }
        if (mode == RestoreMode.REPLACE && target.production) {
            if (!identity.hasRole("admin")) {
                throw new ApiException(403, "replace on production target '" + target.name
                        + "' needs an admin token (and \"confirm\": \"" + target.name + "\")");
            }
            if (!target.name.equals(confirm)) {
                throw ApiException.badField("confirm", "must equal the production target's name '" + target.name
                        + "' to replace its data");
            }
        }
    }

    /**
     * The database or folder the restore writes: in {@code new} mode the one it creates (returned: a database
     * name, or a folder's absolute path), in {@code replace} mode the target's own (null is returned).
     */
    String placement(Target target, RestoreMode mode, String restoreAs) {
        if (target.kind == TargetKind.postgres) {
            String database = mode == RestoreMode.REPLACE ? target.database
                    : restoreAs != null ? restoreAs : PostgresRestore.defaultName(target);
            if (!target.production) {
                protectedObjects.database(target.host, target.port, database, null).ifPresent(found -> {
                    throw contained(target, "database " + database, found);
                });
            }
            if (mode == RestoreMode.NEW && exists(target, database)) {
                throw ApiException.conflict("database " + database + " already exists on target '" + target.name
                        + "'; restoreAs must name a new database (a restore never writes into or drops one it did not create)");
            }
            return mode == RestoreMode.NEW ? database : null;
        }
        Path home = Path.of(target.path);
        Path folder = mode == RestoreMode.REPLACE ? home
                : restoreAs != null ? DirectoryRestore.named(home, restoreAs) : DirectoryRestore.defaultFolder(home);
        if (!target.production) {
            protectedObjects.folder(folder, null).ifPresent(found -> {
                throw contained(target, "folder " + folder, found);
            });
        }
        if (mode == RestoreMode.NEW && Files.exists(folder, LinkOption.NOFOLLOW_LINKS)) {
            throw ApiException.conflict("folder " + folder + " already exists beside target '" + target.name
                    + "'; restoreAs must name a new folder");
        }
        return mode == RestoreMode.NEW ? folder.toString() : null;
    }

    /** A check's URL must start with one of the prefixes an admin allowed for the target. */
    void checkUrls(Target target, List<CheckSpec> checks) {
        for (int i = 0; i < checks.size(); i++) {
            String url = checks.get(i).url();
            if (url != null && target.httpCheckUrls.stream().noneMatch(url::startsWith)) {
                throw ApiException.badField("checks[" + i + "].url", "is not allowed for target '" + target.name + "'"
                        + (target.httpCheckUrls.isEmpty() ? " (it allows no HTTP checks" : " (it allows " + target.httpCheckUrls)
                        + "; an admin sets them with PUT /targets/" + target.name + " httpCheckUrls)");
            }
        }
    }

    private boolean exists(Target target, String database) {
        try {
            return postgres.server(target).exists(database);
        } catch (RestoreFailure | SQLException e) {
            throw new ApiException(503, "cannot reach target '" + target.name + "' (" + target.host + ":" + target.port
                    + ") to check that " + database + " is new: " + e.getMessage());
        }
    }

    private static ApiException contained(Target target, String what, String found) {
        return ApiException.conflict("non-production target '" + target.name + "' would touch " + what + ", which is "
                + found + "; a non-production target never touches production data");
    }
}

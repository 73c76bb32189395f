package io.lifeboat.drill.run;

import com.fasterxml.jackson.databind.JsonNode;
import io.lifeboat.drill.client.ServiceClient;
import io.lifeboat.drill.config.DrillConfig;
import io.lifeboat.events.storage.NewestTimestamp;
import io.lifeboat.postgres.Identifiers;
import io.lifeboat.postgres.PostgresEndpoint;
import io.lifeboat.postgres.SecretReferences;
import io.lifeboat.postgres.SecretUnavailable;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The drill's isolated restore targets (registered in restore-service, never production): checks them, reads
 * what was restored into them, and removes the drill's own copies afterwards.
 */
@ApplicationScoped
public class IsolatedTargets {

    private static final Logger LOG = Logger.getLogger(IsolatedTargets.class);

    private final ServiceClient services;
    private final DrillConfig config;
    private final SecretReferences secrets;

    public IsolatedTargets(ServiceClient services, DrillConfig config, SecretReferences secrets) {
        this.services = services;
        this.config = config;
        this.secrets = secrets;
    }

    /** Refuses a drill whose targets are production or missing. */
    public void checkIsolated() throws DrillFailure {
        for (String name : new String[]{config.postgresTarget(), config.directoryTarget()}) {
            JsonNode target;
            try {
                target = services.restore("GET", "/targets/" + name, null);
            } catch (ServiceClient.CallFailed e) {
                throw new DrillFailure("drill target '" + name + "' is not registered in restore-service: " + e.getMessage());
            }
            if (target.path("production").asBoolean()) {
                throw new DrillFailure("drill target '" + name + "' is marked production: true; a drill never restores into production");
            }
        }
    }

    /** The drill copy's name: {@code <name>_drill_<drillId>} as a lowercase identifier. */
    public static String drillName(String name, String drillId) {
        String id = (name + "_drill_" + drillId).toLowerCase().replaceAll("[^a-z0-9_]", "_");
        return id.length() > 63 ? id.substring(0, 63) : id;
    }

    /** What a restored database holds: row counts, and each table's newest timestamp read as the backup read it. */
    record TableState(Map<String, Long> rowCounts, Map<String, String> newest) {
    }

    TableState tableState(String database, Collection<String> tables, Map<String, NewestTimestamp> newestColumns) {
        Map<String, Long> counts = new LinkedHashMap<>();
        Map<String, String> newest = new LinkedHashMap<>();
        try (Connection c = connect(database); Statement s = c.createStatement()) {
            s.execute("SET TIME ZONE 'UTC'"); // NewestTimestamp's text is printed in UTC
            for (String table : tables) {
                try (ResultSet rs = s.executeQuery("SELECT count(*) FROM " + Identifiers.quoteQualified(table))) {
                    rs.next();
                    counts.put(table, rs.getLong(1));
                }
            }
            for (var entry : newestColumns.entrySet()) {
                try (ResultSet rs = s.executeQuery("SELECT max(" + Identifiers.quote(entry.getValue().column()) + ")::text FROM "
                        + Identifiers.quoteQualified(entry.getKey()))) {
                    rs.next();
                    newest.put(entry.getKey(), rs.getString(1));
                }
            }
        } catch (SQLException | DrillFailure e) {
            LOG.warnf("cannot read the tables of %s: %s", database, e.getMessage());
        }
        return new TableState(counts, newest);
    }

    /**
     * Removes the drill's own copy: only names marked {@code _drill_}, and a database only when it carries the
     * ownership mark restore-service gave it when its restore created it ({@code lifeboat restore <id>}).
     */
    void cleanUp(Restored restored, String kind) {
        String restoredAs = restored.restoredAs();
        if (restoredAs == null || !restoredAs.contains("_drill_")) {
            return;
        }
        try {
            if ("postgres".equals(kind)) {
                try (Connection c = connect("postgres")) {
                    try (var mark = c.prepareStatement("SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = ?")) {
                        mark.setString(1, restoredAs);
                        try (ResultSet rs = mark.executeQuery()) {
                            if (!rs.next() || !("lifeboat restore " + restored.restoreId()).equals(rs.getString(1))) {
                                LOG.warnf("drill copy %s does not carry the mark of restore %s; left alone", restoredAs, restored.restoreId());
                                return;
                            }
                        }
                    }
                    try (Statement s = c.createStatement()) {
                        s.execute("DROP DATABASE IF EXISTS " + Identifiers.quote(restoredAs) + " WITH (FORCE)");
                    }
                }
            } else {
                Path dir = Path.of(restoredAs);
                if (Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                    try (Stream<Path> walk = Files.walk(dir)) {
                        for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                            Files.deleteIfExists(p);
                        }
                    }
                }
            }
        } catch (SQLException | IOException | DrillFailure e) {
            LOG.warnf("cannot clean up drill copy %s: %s", restoredAs, e.getMessage());
        }
    }

    private Connection connect(String database) throws DrillFailure, SQLException {
        JsonNode t = services.restore("GET", "/targets/" + config.postgresTarget(), null);
        String password;
        try {
            password = secrets.resolve(t.path("passwordRef").asText(null));
        } catch (SecretUnavailable e) {
            throw new DrillFailure("drill-service cannot reach the drill server: " + e.getMessage());
        }
        return new PostgresEndpoint(t.path("host").asText(), t.path("port").asInt(), t.path("user").asText())
                .connect(database, password);
    }

    /** Regular files and their bytes under {@code root} (links not followed). */
    static long[] count(Path root) {
        long[] result = {0, 0};
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                    if (attrs.isRegularFile()) {
                        result[0]++;
                        result[1] += attrs.size();
                    }
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            return new long[]{-1, -1};
        }
        return result;
    }

}

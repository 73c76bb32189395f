package io.lifeboat.postgres;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The roles a database needs (its owner, the owners of its schemas and objects, and those granted rights on
 * them) and the statements that recreate them: a dump restored into a fresh cluster fails without the roles that
 * own its objects. Passwords are never carried, and a role is never recreated with superuser-level attributes.
 */
public final class DatabaseRoles {

    private static final String USER_NAMESPACES = "n.nspname !~ '^pg_' AND n.nspname <> 'information_schema'";
    private static final Pattern CREATE = Pattern.compile("^CREATE ROLE (\"(?:[^\"]|\"\")+\"|[^ ;]+);$");
    private static final Pattern ALTER = Pattern.compile("^ALTER ROLE (\"(?:[^\"]|\"\")+\"|[^ ;]+) WITH (.*);$");
    private static final Pattern GRANT = Pattern.compile("^GRANT (\"(?:[^\"]|\"\")+\"|[^ ;]+) TO (\"(?:[^\"]|\"\")+\"|[^ ;]+)( .*)?;$");
    /** Attributes a restore never grants: it recreates owners, not administrators. */
    private static final List<String> NEVER = List.of("SUPERUSER", "REPLICATION", "BYPASSRLS", "CREATEROLE");

    private DatabaseRoles() {
    }

    /** The roles the database {@code c} is connected to needs, in name order. */
    public static List<String> neededBy(Connection c) throws SQLException {
        String sql = "SELECT rolname FROM pg_roles WHERE rolname !~ '^pg_' AND oid IN ("
                + "SELECT datdba FROM pg_database WHERE datname = current_database()"
                + " UNION SELECT (aclexplode(datacl)).grantee FROM pg_database WHERE datname = current_database() AND datacl IS NOT NULL"
                + " UNION SELECT n.nspowner FROM pg_namespace n WHERE " + USER_NAMESPACES
                + " UNION SELECT (aclexplode(n.nspacl)).grantee FROM pg_namespace n WHERE n.nspacl IS NOT NULL AND " + USER_NAMESPACES
                + " UNION SELECT c.relowner FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE " + USER_NAMESPACES
                + " UNION SELECT (aclexplode(c.relacl)).grantee FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                + "   WHERE c.relacl IS NOT NULL AND " + USER_NAMESPACES
                + " UNION SELECT p.proowner FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE " + USER_NAMESPACES
                + " UNION SELECT t.typowner FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace WHERE " + USER_NAMESPACES
                + ") ORDER BY rolname";
        List<String> roles = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) roles.add(rs.getString(1));
        }
        return roles;
    }

    /**
     * The lines of {@code pg_dumpall --globals-only --no-role-passwords} output that create {@code roles}, set their
     * attributes and grant memberships among them.
     */
    public static String globalsFor(String dumpall, Collection<String> roles) {
        StringBuilder kept = new StringBuilder();
        for (String line : dumpall.split("\n")) {
            Matcher create = CREATE.matcher(line);
            Matcher alter = ALTER.matcher(line);
            Matcher grant = GRANT.matcher(line);
            boolean keep = create.matches() && roles.contains(unquote(create.group(1)))
                    || alter.matches() && roles.contains(unquote(alter.group(1)))
                    || grant.matches() && roles.contains(unquote(grant.group(1))) && roles.contains(unquote(grant.group(2)));
            if (keep) kept.append(line).append('\n');
        }
        return kept.toString();
    }

    /** A role to create, with the statements that recreate it (attributes tamed) and its memberships. */
    public record Role(String name, List<String> statements) {
    }

    /** Parses what {@link #globalsFor} kept, role by role, neutralising superuser-level attributes. */
    public static List<Role> parse(String globals) {
        List<Role> roles = new ArrayList<>();
        if (globals == null) return roles;
        for (String line : globals.split("\n")) {
            Matcher create = CREATE.matcher(line);
            if (create.matches()) {
                roles.add(new Role(unquote(create.group(1)), new ArrayList<>(List.of(line))));
            }
        }
        for (String line : globals.split("\n")) {
            Matcher alter = ALTER.matcher(line);
            Matcher grant = GRANT.matcher(line);
            String owner = alter.matches() ? unquote(alter.group(1)) : grant.matches() ? unquote(grant.group(2)) : null;
            if (owner == null) continue;
            // a grantor from the old cluster may not exist in the new one: the grant stands without it
            String statement = line.replaceAll(" GRANTED BY [^;]*;$", ";");
            if (alter.matches()) {
                for (String attribute : NEVER) {
                    statement = statement.replaceAll("\\b(?<!NO)" + attribute + "\\b", "NO" + attribute);
                }
            }
            for (Role r : roles) {
                if (r.name().equals(owner)) r.statements().add(statement);
            }
        }
        return roles;
    }

    private static String unquote(String identifier) {
        return identifier.startsWith("\"") ? identifier.substring(1, identifier.length() - 1).replace("\"\"", "\"") : identifier;
    }
}

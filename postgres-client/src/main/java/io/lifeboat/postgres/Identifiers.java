package io.lifeboat.postgres;

import java.util.ArrayList;
import java.util.List;

/** SQL identifiers of the protected database, always quoted: a name is data, never SQL. */
public final class Identifiers {

    private Identifiers() {
    }

    /** {@code "name"}, with embedded quotes doubled. */
    public static String quote(String name) {
        return "\"" + name.replace("\"", "\"\"") + "\"";
    }

    /** {@code "schema"."table"} for {@code schema.table}; a bare name is quoted as one identifier. */
    public static String quoteQualified(String qualifiedName) {
        List<String> parts = new ArrayList<>();
        for (String part : qualifiedName.split("\\.")) {
            parts.add(quote(part));
        }
        return String.join(".", parts);
    }
}

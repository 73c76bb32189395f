package io.lifeboat.restore.rest;

/** The {@code limit} of list endpoints: default 50, between 1 and 1000. */
public final class Limits {
    public static final int MAX = 1000;

    private Limits() {
    }

    public static int parse(String limit) {
        try {
            int value = Integer.parseInt(limit.trim());
            if (value >= 1 && value <= MAX) {
                return value;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw ApiException.badField("limit", "must be a whole number from 1 to " + MAX + " (got '" + limit + "')");
    }
}

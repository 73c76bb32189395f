package io.lifeboat.http;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.function.Function;

/**
 * Lists in every Lifeboat API: newest first, {@code limit} from 1 to {@value #MAX} (default 50), and an opaque
 * cursor that continues after the last item of the previous page: the (instant, id) that item was sorted by.
 */
public final class Paging {

    public static final int MAX = 1000;
    public static final String DEFAULT_LIMIT = "50";

    private Paging() {
    }

    /** A page of a newest-first list; pass {@code nextCursor} as {@code cursor} for the next page (null at the end). */
    public record Page<T>(List<T> items, String nextCursor) {
    }

    /** The position of an item in a list sorted by (instant, id), newest first. */
    public record Cursor(Instant at, String id) {

        public String encode() {
            return Base64.getUrlEncoder().withoutPadding().encodeToString((at + "|" + id).getBytes(StandardCharsets.UTF_8));
        }
    }

    /** The {@code limit} query parameter, or a 400 naming it. */
    public static int limit(String limit) {
        try {
            int value = Integer.parseInt(limit == null ? DEFAULT_LIMIT : limit.trim());
            if (value >= 1 && value <= MAX) {
                return value;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw ApiException.badField("limit", "must be a whole number from 1 to " + MAX + " (got '" + limit + "')");
    }

    /** The {@code cursor} query parameter (null when absent), or a 400 naming it. */
    public static Cursor cursor(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            String[] parts = new String(Base64.getUrlDecoder().decode(text.trim()), StandardCharsets.UTF_8).split("\\|", 2);
            if (parts.length != 2) {
                throw new IllegalArgumentException();
            }
            return new Cursor(Instant.parse(parts[0]), parts[1]);
        } catch (RuntimeException e) {
            throw ApiException.badField("cursor", "is not a cursor returned by this API (use nextCursor of the previous page)");
        }
    }

    /** The page of {@code items} fetched with {@code limit}: a next cursor only when the page is full. */
    public static <E, V> Page<V> page(List<E> items, int limit, Function<E, Cursor> position, Function<E, V> view) {
        String next = items.size() == limit ? position.apply(items.get(limit - 1)).encode() : null;
        return new Page<>(items.stream().map(view).toList(), next);
    }
}

package io.lifeboat.incident.rest;

import java.util.List;

/** A page of a newest-first list; pass {@code nextCursor} as {@code cursor} for the next page (null at the end). */
public record Page<T>(List<T> items, String nextCursor) {
}

package io.lifeboat.events.restore;

/** One post-restore check (SQL or HTTP) and whether it passed. */
public record CheckResult(String name, boolean passed, String detail) {
}

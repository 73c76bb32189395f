package io.lifeboat.drill.run;

import java.util.Map;

/** Per source: the restore into the isolated target, where it went, and how long each of its steps took. */
record Restored(String source, String restoreId, String restoredAs, double seconds, long storedBytes, boolean checksPassed,
                Map<String, Double> stepSeconds, String detail) {
}

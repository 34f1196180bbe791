package dev.runbook.report;

/** Durations as operators read them ("850 ms", "6.4 s", "2 min 05 s"). */
final class Durations {
    private Durations() {
    }

    static String format(long millis) {
        if (millis < 1000) {
            return millis + " ms";
        }
        if (millis < 60_000) {
            return String.format(java.util.Locale.ROOT, "%.1f s", millis / 1000.0);
        }
        long s = millis / 1000;
        return String.format(java.util.Locale.ROOT, "%d min %02d s", s / 60, s % 60);
    }

    static String expected(History h) {
        return h.runs() == 0 ? "unknown (no earlier successful run of this runbook here)"
                : Durations.format(h.totalMillis()) + " (median of " + h.runs() + " earlier run" + (h.runs() == 1 ? "" : "s") + ")";
    }
}

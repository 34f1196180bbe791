package dev.runbook.trace;

/**
 * Where a run's time goes, as {@code trace-KIND ...} lines on stderr, only when the environment
 * sets {@code RUNBOOK_TRACE} (the bench reads some of them: keep their words stable). Off, every
 * call is one branch on a constant.
 */
public final class Trace {
    /** True when RUNBOOK_TRACE is set; callers guard work that only computes a trace line with it. */
    public static final boolean ON = System.getenv("RUNBOOK_TRACE") != null;

    private Trace() {
    }

    /** One line, {@code trace-KIND} then the formatted rest (a {@link String#format} pattern). */
    public static void line(String kind, String format, Object... args) {
        if (ON) {
            System.err.println("trace-" + kind + " " + String.format(java.util.Locale.ROOT, format, args));
        }
    }

    /** Milliseconds between two {@link System#nanoTime()} readings. */
    public static double ms(long fromNanos, long toNanos) {
        return (toNanos - fromNanos) / 1e6;
    }
}

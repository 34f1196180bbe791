package dev.runbook.transport.ssh;

import java.util.function.BooleanSupplier;

/**
 * The one wait for a running command: polls for its end in short ticks, and stops waiting when
 * its deadline passes or the run is cancelled (the caller then kills it). Used by both ways a
 * command runs on a host: a session of its own, and the persistent shell.
 */
final class CommandWait {
    /** How a wait ended. */
    enum End { DONE, TIMED_OUT, CANCELLED }

    /** One tick of waiting: true when the command has ended (or can no longer be waited for). */
    @FunctionalInterface
    interface Tick {
        boolean awaitEnd(long millis) throws Exception;
    }

    private CommandWait() {
    }

    /**
     * Waits from {@code startNanos} until {@code tick} reports the end, the deadline
     * ({@code timeoutNanos}; {@code Long.MAX_VALUE}: none) passes or {@code cancelled} says so;
     * {@code idle} runs between ticks (a liveness probe, say).
     */
    static End await(long startNanos, long timeoutNanos, BooleanSupplier cancelled, long tickMillis, Tick tick, Runnable idle) throws Exception {
        long deadline = timeoutNanos == Long.MAX_VALUE ? Long.MAX_VALUE : startNanos + timeoutNanos;
        while (!tick.awaitEnd(tickMillis)) {
            if (System.nanoTime() > deadline) {
                return End.TIMED_OUT;
            }
            if (cancelled.getAsBoolean()) {
                return End.CANCELLED;
            }
            idle.run();
        }
        return End.DONE;
    }
}

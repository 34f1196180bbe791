package dev.runbook.transport;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * Options of one command: a timeout (null: none), a cancellation signal polled while it runs
 * (Ctrl-C, fail-fast abort), and how many bytes of each output stream to keep (the tail).
 */
public record ExecOptions(Duration timeout, BooleanSupplier cancelled, int keepBytes) {
    public static final int DEFAULT_KEEP = 1 << 20;

    public static ExecOptions of(Duration timeout) {
        return new ExecOptions(timeout, () -> false, DEFAULT_KEEP);
    }
}

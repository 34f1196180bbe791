package dev.runbook.exec;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Passes progress messages on, but the same text at most once per interval: a wait that retries
 * every 300 ms should tell the operator it is still waiting, not print the same line 30 times.
 */
final class ProgressThrottle implements Consumer<String> {
    private final Consumer<String> out;
    private final long intervalMillis;
    private final LongSupplier clock;
    private final Map<String, Long> lastShown = new ConcurrentHashMap<>();

    ProgressThrottle(Consumer<String> out, long intervalMillis, LongSupplier clock) {
        this.out = out;
        this.intervalMillis = intervalMillis;
        this.clock = clock;
    }

    @Override
    public void accept(String message) {
        long now = clock.getAsLong();
        Long before = lastShown.get(message);
        if (before == null || now - before >= intervalMillis) {
            lastShown.put(message, now);
            out.accept(message);
        }
    }
}

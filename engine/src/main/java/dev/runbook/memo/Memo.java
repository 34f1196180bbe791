package dev.runbook.memo;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * One value per key for a run, made by the first caller while later callers of that key wait (and
 * callers of other keys do not); a failure is kept and thrown again to every later caller, so a
 * host that cannot be reached is tried once per run, not once per step.
 */
public final class Memo<K, V> {
    private final Map<K, CompletableFuture<V>> values = new ConcurrentHashMap<>();

    /** The value of {@code key}, made by {@code make} on the first call. */
    public V get(K key, Function<K, V> make) {
        CompletableFuture<V> f = values.computeIfAbsent(key, k -> new CompletableFuture<>());
        synchronized (f) {
            if (!f.isDone()) {
                try {
                    f.complete(make.apply(key));
                } catch (RuntimeException e) {
                    f.completeExceptionally(e);
                }
            }
        }
        try {
            return f.join();
        } catch (CompletionException e) {
            throw (RuntimeException) e.getCause();
        }
    }

    /** The values made so far without failing, in no order. */
    public java.util.List<V> made() {
        return values.values().stream().filter(f -> f.isDone() && !f.isCompletedExceptionally()).map(CompletableFuture::join).toList();
    }

    /** Forgets every value (the caller closes them first if they need it). */
    public void clear() {
        values.clear();
    }
}

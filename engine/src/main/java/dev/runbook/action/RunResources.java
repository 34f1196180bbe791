package dev.runbook.action;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Things opened once per run and shared by steps (one etcd client per cluster), closed together
 * when the run ends, in reverse order of opening; and the run's links to its hosts.
 */
public final class RunResources implements AutoCloseable {
    private final Map<String, AutoCloseable> byKey = new ConcurrentHashMap<>();
    private final List<AutoCloseable> opened = Collections.synchronizedList(new ArrayList<>());
    private volatile HostLinks links = HostLinks.NONE;

    /** Sets how actions reach the run's other hosts (by whoever opened the run's connections). */
    public void links(HostLinks l) {
        links = l;
    }

    /** The run's other hosts and their connections; {@link HostLinks#NONE} until set. */
    public HostLinks links() {
        return links;
    }

    /** The resource under {@code key}, created on first use. */
    @SuppressWarnings("unchecked")
    public <T extends AutoCloseable> T get(String key, Supplier<T> create) {
        return (T) byKey.computeIfAbsent(key, k -> {
            T t = create.get();
            opened.add(t);
            return t;
        });
    }

    @Override
    public void close() {
        List<AutoCloseable> all;
        synchronized (opened) {
            all = new ArrayList<>(opened);
            opened.clear();
        }
        Collections.reverse(all);
        for (AutoCloseable c : all) {
            try {
                c.close();
            } catch (Exception ignored) {
                // closing at the end of a run: nothing left to do with the error
            }
        }
        byKey.clear();
    }
}

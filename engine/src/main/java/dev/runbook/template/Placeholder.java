package dev.runbook.template;

import java.util.AbstractMap;
import java.util.Set;

/**
 * A value known only at run time (e.g. what an earlier step registers), shown in plans as
 * {@code <<name.path>>} instead of an empty string. Any key of it is again a placeholder.
 */
public final class Placeholder extends AbstractMap<String, Object> {
    private final String path;

    public Placeholder(String path) {
        this.path = path;
    }

    public String path() {
        return path;
    }

    @Override
    public Object get(Object key) {
        return new Placeholder(path + "." + key);
    }

    @Override
    public boolean containsKey(Object key) {
        return true;
    }

    @Override
    public Set<Entry<String, Object>> entrySet() {
        return Set.of();
    }

    @Override
    public String toString() {
        return "<<" + path + ">>";
    }
}

package dev.runbook.inventory;

import dev.runbook.error.RunbookException;
import dev.runbook.model.SourceLocation;
import dev.runbook.parse.DidYouMean;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Selects hosts with Ansible's pattern syntax: {@code etcd}, {@code etcd-0*}, {@code a:b} or
 * {@code a,b} (union), {@code a:&b} (intersection), {@code a:!b} (exclusion), {@code all}.
 * A name that is neither a group nor a host (and has no wildcard) is an error with a suggestion.
 */
public final class HostPattern {
    private HostPattern() {
    }

    /** Matching host names, in inventory order. */
    public static List<String> select(Inventory inv, String pattern, SourceLocation at) {
        Set<String> result = new LinkedHashSet<>();
        boolean first = true;
        for (String raw : pattern.split("[:,]")) {
            String term = raw.trim();
            if (term.isEmpty()) {
                continue;
            }
            char op = term.charAt(0);
            String name = (op == '!' || op == '&') ? term.substring(1) : term;
            Set<String> matched = resolve(inv, name, at);
            if (op == '!') {
                if (first) {
                    result.addAll(inv.names());
                }
                result.removeAll(matched);
            } else if (op == '&') {
                result.retainAll(matched);
            } else {
                result.addAll(matched);
            }
            first = false;
        }
        List<String> ordered = new ArrayList<>();
        for (String h : inv.names()) {
            if (result.contains(h)) {
                ordered.add(h);
            }
        }
        return ordered;
    }

    private static Set<String> resolve(Inventory inv, String name, SourceLocation at) {
        if (name.equals("all") || name.equals("*")) {
            return new LinkedHashSet<>(inv.names());
        }
        if (inv.groups().containsKey(name)) {
            return new LinkedHashSet<>(inv.groups().get(name));
        }
        if (inv.hosts().containsKey(name)) {
            return Set.of(name);
        }
        if (name.contains("*") || name.contains("?") || name.contains("[")) {
            Pattern glob = Pattern.compile(name.replace(".", "\\.").replace("*", ".*").replace("?", "."));
            Set<String> out = new LinkedHashSet<>();
            inv.groups().keySet().stream().filter(g -> glob.matcher(g).matches()).forEach(g -> out.addAll(inv.groups().get(g)));
            inv.names().stream().filter(h -> glob.matcher(h).matches()).forEach(out::add);
            return out;
        }
        List<String> known = new ArrayList<>(inv.groups().keySet());
        known.addAll(inv.names());
        throw RunbookException.invalid(at, "unknown host or group '" + name + "'" + DidYouMean.suffix(name, known)
                        + (inv.file() == null ? "" : " in inventory " + inv.file()),
                known.isEmpty() ? "the inventory has no hosts; pass one with -i" : "groups: " + String.join(", ", inv.groups().keySet()));
    }
}

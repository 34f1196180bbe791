package dev.runbook.inventory;

import dev.runbook.error.RunbookException;
import dev.runbook.model.Node;
import dev.runbook.model.SourceLocation;
import java.math.BigInteger;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Groups as the INI and script inventory formats declare them (each group's hosts with their
 * variables, its variables, its children; a group may have several parents), turned into the tree
 * a YAML inventory is, so every format is read by the same code afterwards.
 */
final class GroupTree {
    final Map<String, Group> groups = new LinkedHashMap<>();

    /** One group as declared. */
    static final class Group {
        final String name;
        final SourceLocation at;
        final Map<String, Map<String, Object>> hosts = new LinkedHashMap<>();
        final Map<String, SourceLocation> hostAt = new LinkedHashMap<>();
        final Map<String, Object> vars = new LinkedHashMap<>();
        final Map<String, SourceLocation> varAt = new LinkedHashMap<>();
        final Set<String> children = new LinkedHashSet<>();
        final Map<String, SourceLocation> childAt = new LinkedHashMap<>();

        Group(String name, SourceLocation at) {
            this.name = name;
            this.at = at;
        }
    }


    /** The group {@code name}, declared at {@code at} if new. */
    Group group(String name, SourceLocation at) {
        return groups.computeIfAbsent(name, k -> new Group(name, at));
    }

    /** {@code child} is a child group of {@code parent}. */
    void child(String parent, String child, SourceLocation where) {
        Group g = groups.get(parent);
        g.children.add(child);
        g.childAt.putIfAbsent(child, where);
    }

    /** The YAML-shaped tree: all with its vars and hosts, every group as a child of each of its parents (top groups under all). */
    Node tree() {
        // a loop of children has no top group to be found from: look for one from every group
        for (Group g : groups.values()) {
            group(g, new LinkedHashSet<>());
        }
        Set<String> isChild = new HashSet<>();
        groups.values().forEach(g -> isChild.addAll(g.children));
        Group all = groups.get("all");
        Map<String, Node> allEntries = new LinkedHashMap<>();
        Map<String, SourceLocation> allKeys = new LinkedHashMap<>();
        if (!all.vars.isEmpty()) {
            allEntries.put("vars", vars(all.vars, all.varAt, all.at));
            allKeys.put("vars", all.at);
        }
        if (!all.hosts.isEmpty()) {
            allEntries.put("hosts", hosts(all));
            allKeys.put("hosts", all.at);
        }
        Map<String, Node> children = new LinkedHashMap<>();
        Map<String, SourceLocation> childKeys = new LinkedHashMap<>();
        for (Group g : groups.values()) {
            if (g.name.equals("all") || isChild.contains(g.name) || (g.name.equals("ungrouped") && g.hosts.isEmpty())) {
                continue;
            }
            children.put(g.name, group(g, new LinkedHashSet<>()));
            childKeys.put(g.name, g.at);
        }
        for (String c : all.children) {
            children.putIfAbsent(c, group(groups.get(c), new LinkedHashSet<>()));
            childKeys.putIfAbsent(c, all.childAt.get(c));
        }
        if (!children.isEmpty()) {
            allEntries.put("children", new Node.MapNode(children, childKeys, all.at));
            allKeys.put("children", all.at);
        }
        return new Node.MapNode(Map.of("all", new Node.MapNode(allEntries, allKeys, all.at)), Map.of("all", all.at), all.at);
    }

    private Node group(Group g, Set<String> path) {
        if (!path.add(g.name)) {
            throw RunbookException.invalid(g.at, "group '" + g.name + "' is its own ancestor: " + String.join(" > ", path) + " > " + g.name,
                    "a [group:children] section must not list one of the group's parents");
        }
        Map<String, Node> e = new LinkedHashMap<>();
        Map<String, SourceLocation> k = new LinkedHashMap<>();
        if (!g.hosts.isEmpty()) {
            e.put("hosts", hosts(g));
            k.put("hosts", g.at);
        }
        if (!g.vars.isEmpty()) {
            e.put("vars", vars(g.vars, g.varAt, g.at));
            k.put("vars", g.at);
        }
        if (!g.children.isEmpty()) {
            Map<String, Node> cs = new LinkedHashMap<>();
            for (String c : g.children) {
                cs.put(c, group(groups.get(c), new LinkedHashSet<>(path)));
            }
            e.put("children", new Node.MapNode(cs, g.childAt, g.at));
            k.put("children", g.at);
        }
        return new Node.MapNode(e, k, g.at);
    }

    private Node hosts(Group g) {
        Map<String, Node> hs = new LinkedHashMap<>();
        g.hosts.forEach((h, vars) -> hs.put(h, vars.isEmpty() ? new Node.Scalar("", true, "null", g.hostAt.get(h))
                : vars(vars, Map.of(), g.hostAt.get(h))));
        return new Node.MapNode(hs, g.hostAt, g.at);
    }

    private static Node vars(Map<String, Object> vars, Map<String, SourceLocation> at, SourceLocation where) {
        Map<String, Node> e = new LinkedHashMap<>();
        Map<String, SourceLocation> k = new LinkedHashMap<>();
        vars.forEach((key, v) -> {
            SourceLocation l = at.getOrDefault(key, where);
            e.put(key, node(v, l));
            k.put(key, l);
        });
        return new Node.MapNode(e, k, where);
    }

    /** A value as a node of the tree a YAML inventory gives (so both formats read the same afterwards). */
    @SuppressWarnings("unchecked")
    static Node node(Object v, SourceLocation at) {
        if (v == null) {
            return new Node.Scalar("", true, "null", at);
        }
        if (v instanceof Boolean b) {
            return new Node.Scalar(b.toString(), true, "bool", at);
        }
        if (v instanceof Long || v instanceof BigInteger || v instanceof Integer || v instanceof Short) {
            return new Node.Scalar(v.toString(), true, "int", at);
        }
        if (v instanceof Number d) {
            // as YAML floats are: kept as their text (a version 3.10 is not 3.1)
            return new Node.Scalar(d.toString(), true, "float", at);
        }
        if (v instanceof List<?> l) {
            return new Node.ListNode(l.stream().map(x -> node(x, at)).toList(), at);
        }
        if (v instanceof Map<?, ?> m) {
            Map<String, Node> e = new LinkedHashMap<>();
            Map<String, SourceLocation> k = new LinkedHashMap<>();
            ((Map<Object, Object>) m).forEach((key, val) -> {
                e.put(String.valueOf(key), node(val, at));
                k.put(String.valueOf(key), at);
            });
            return new Node.MapNode(e, k, at);
        }
        return new Node.Scalar(String.valueOf(v), false, "str", at);
    }
}

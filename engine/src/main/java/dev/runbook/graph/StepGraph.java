package dev.runbook.graph;

import dev.runbook.error.RunbookException;
import dev.runbook.model.Runbook;
import dev.runbook.model.Step;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The steps of a runbook as a directed acyclic graph of {@code needs} edges. Construction refuses a
 * cycle, naming the whole cycle and where it starts. Steps whose needs are all done may run concurrently.
 */
public final class StepGraph {
    private final Map<String, Step> steps = new LinkedHashMap<>();
    private final Map<String, List<String>> dependents = new HashMap<>();
    private final List<Step> order;

    public StepGraph(Runbook runbook) {
        for (Step s : runbook.steps()) {
            steps.put(s.id(), s);
            dependents.putIfAbsent(s.id(), new ArrayList<>());
        }
        for (Step s : runbook.steps()) {
            for (String n : s.needs()) {
                dependents.get(n).add(s.id());
            }
        }
        checkAcyclic();
        order = topological();
    }

    public Step step(String id) {
        return steps.get(id);
    }

    /** Steps in an order that respects needs, ties broken by file order. */
    public List<Step> order() {
        return order;
    }

    public List<String> dependents(String id) {
        return Collections.unmodifiableList(dependents.get(id));
    }

    /** Steps not yet done or started whose needs are all in {@code done}. */
    public List<Step> ready(Set<String> done, Set<String> started) {
        List<Step> out = new ArrayList<>();
        for (Step s : steps.values()) {
            if (!started.contains(s.id()) && !done.contains(s.id()) && done.containsAll(s.needs())) {
                out.add(s);
            }
        }
        return out;
    }

    private void checkAcyclic() {
        Map<String, Integer> state = new HashMap<>(); // 1 = on the path, 2 = finished
        for (String id : steps.keySet()) {
            List<String> path = new ArrayList<>();
            visit(id, state, path);
        }
    }

    private void visit(String id, Map<String, Integer> state, List<String> path) {
        Integer st = state.get(id);
        if (st != null && st == 2) {
            return;
        }
        if (st != null && st == 1) {
            List<String> cycle = new ArrayList<>(path.subList(path.indexOf(id), path.size()));
            cycle.add(id);
            Step first = steps.get(id);
            throw RunbookException.invalid(first.needsAt(), "cycle in needs: " + String.join(" -> ", cycle),
                    "a step cannot (indirectly) need itself; remove one of these needs");
        }
        state.put(id, 1);
        path.add(id);
        for (String n : steps.get(id).needs()) {
            visit(n, state, path);
        }
        path.remove(path.size() - 1);
        state.put(id, 2);
    }

    private List<Step> topological() {
        List<Step> out = new ArrayList<>();
        Set<String> done = new java.util.HashSet<>();
        while (out.size() < steps.size()) {
            for (Step s : steps.values()) {
                if (!done.contains(s.id()) && done.containsAll(s.needs())) {
                    out.add(s);
                    done.add(s.id());
                    break;
                }
            }
        }
        return List.copyOf(out);
    }

    /** The graph as text, Graphviz dot or Mermaid. */
    public String render(String format) {
        StringBuilder sb = new StringBuilder();
        switch (format) {
            case "dot" -> {
                sb.append("digraph runbook {\n  rankdir=TB;\n  node [shape=box, fontname=\"monospace\"];\n");
                for (Step s : order) {
                    sb.append("  \"").append(s.id()).append("\" [label=\"").append(label(s).replace("\"", "\\\"")).append("\"")
                            .append(s.destructive() ? ", color=red, penwidth=2" : "").append("];\n");
                }
                for (Step s : order) {
                    for (String n : s.needs()) {
                        sb.append("  \"").append(n).append("\" -> \"").append(s.id()).append("\";\n");
                    }
                }
                sb.append("}\n");
            }
            case "mermaid" -> {
                sb.append("flowchart TD\n");
                for (Step s : order) {
                    sb.append("  ").append(mid(s.id())).append("[\"").append(label(s).replace("\\n", "<br/>").replace("\"", "#quot;")).append("\"]\n");
                }
                for (Step s : order) {
                    for (String n : s.needs()) {
                        sb.append("  ").append(mid(n)).append(" --> ").append(mid(s.id())).append('\n');
                    }
                }
                order.stream().filter(Step::destructive).forEach(s -> sb.append("  style ").append(mid(s.id())).append(" stroke:#c00,stroke-width:3px\n"));
            }
            default -> {
                for (Step s : order) {
                    sb.append(s.id()).append("  [").append(s.hosts()).append("]")
                            .append(s.rolling() != null ? " rolling batch " + s.rolling().batch() : "")
                            .append(s.destructive() ? " DESTRUCTIVE" : "")
                            .append(s.name() != null ? "  " + s.name() : "").append('\n');
                    if (!s.needs().isEmpty()) {
                        sb.append("    needs: ").append(String.join(", ", s.needs())).append('\n');
                    }
                }
            }
        }
        return sb.toString();
    }

    private static String label(Step s) {
        return s.id() + (s.name() != null ? ": " + s.name() : "") + "\\n[" + s.hosts() + "]" + (s.destructive() ? " (destructive)" : "");
    }

    private static String mid(String id) {
        return "s_" + id.replaceAll("[^A-Za-z0-9_]", "_");
    }
}

package dev.runbook.report;

import dev.runbook.exec.Masker;
import dev.runbook.exec.Planner;
import dev.runbook.graph.StepGraph;
import dev.runbook.inventory.Inventory;
import dev.runbook.model.Rolling;
import dev.runbook.model.Runbook;
import dev.runbook.model.Step;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The change record of a run that has not happened yet: what a change board reviews before
 * approving it. Everything in it is derived from the runbook, the inventory, the inputs and earlier
 * journals, never from the clock, so the same inputs give the same record (diffable). Secrets are
 * already masked here; renderers only format.
 *
 * @param targets host name -> address (or how it is reached, where jump hosts or sudo make that more), for every host some step runs on
 * @param preconditions ids of the steps that complete before ANY destructive step can start
 */
public record ChangeRecord(String name, String description, String runbookFile, String runbookSha256, String inventoryFile,
                           String inventorySha256, Map<String, Object> inputs, Map<String, String> targets, List<Entry> steps,
                           List<String> preconditions, History history, StepGraph graph) {

    /**
     * One step as the record shows it.
     *
     * @param perHost host -> the exact rendered operations (commands, edits, API calls)
     * @param expectedMillis median of earlier runs, -1 when unknown
     */
    public record Entry(int number, String id, String title, String kind, List<String> hosts, List<String> needs, boolean destructive,
                        boolean confirm, String when, String rolling, String rollback, String recovery, Map<String, List<String>> perHost,
                        long expectedMillis) {
    }

    /** Builds the record from a finished plan. */
    public static ChangeRecord of(Runbook runbook, String runbookFile, Inventory inventory, String inventoryFile, Map<String, Object> inputs,
                                  List<Planner.StepPlan> plan, StepGraph graph, Masker masker, History history) {
        Map<String, String> targets = new LinkedHashMap<>();
        List<Entry> entries = new ArrayList<>();
        int n = 0;
        for (Planner.StepPlan p : plan) {
            Step s = p.step();
            for (String h : p.hosts()) {
                if (!h.equals(Inventory.CONTROL) && inventory.hosts().containsKey(h)) {
                    // the address, or how the host is reached where that is more (jump hosts, sudo)
                    targets.computeIfAbsent(h, k -> {
                        String reach = dev.runbook.transport.ssh.TargetResolver.reach(inventory.host(k));
                        return dev.runbook.transport.ssh.TargetResolver.worthSaying(reach) ? reach : inventory.host(k).address();
                    });
                }
            }
            Map<String, List<String>> ops = new LinkedHashMap<>();
            p.perHost().forEach((h, lines) -> ops.put(h, lines.stream().map(masker::mask).toList()));
            boolean confirm = "confirm".equals(s.kind()) || (s.isBlock() && s.block().stream().anyMatch(b -> "confirm".equals(b.kind())));
            boolean destructive = s.destructive() || (s.isBlock() && s.block().stream().anyMatch(Step::destructive));
            entries.add(new Entry(++n, s.id(), s.title(), s.kind(), p.hosts(), s.needs(), destructive, confirm, s.when(), rolling(s.rolling()),
                    s.rollback() == null ? null : masker.mask(s.rollback().strip()), s.recovery(), ops, history.stepMillis().getOrDefault(s.id(), -1L)));
        }
        Map<String, Object> masked = new LinkedHashMap<>();
        inputs.forEach((k, v) -> masked.put(k, masker.maskValue(v)));
        return new ChangeRecord(runbook.name(), runbook.description() == null ? "" : runbook.description().strip(), runbookFile,
                runbook.sha256(), inventoryFile, inventory.sha256(), masked, targets, entries, preconditions(graph, entries), history, graph);
    }

    /** Steps every destructive step transitively needs: they have all passed before anything is changed. */
    static List<String> preconditions(StepGraph graph, List<Entry> entries) {
        Set<String> common = null;
        for (Entry e : entries) {
            if (e.destructive()) {
                Set<String> anc = ancestors(graph, e.id());
                if (common == null) {
                    common = anc;
                } else {
                    common.retainAll(anc);
                }
            }
        }
        if (common == null) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (Entry e : entries) {
            if (common.contains(e.id()) && !e.destructive()) {
                out.add(e.id());
            }
        }
        return out;
    }

    private static Set<String> ancestors(StepGraph graph, String id) {
        Set<String> seen = new HashSet<>();
        List<String> todo = new ArrayList<>(graph.step(id).needs());
        while (!todo.isEmpty()) {
            String s = todo.remove(todo.size() - 1);
            if (seen.add(s)) {
                todo.addAll(graph.step(s).needs());
            }
        }
        return new LinkedHashSet<>(seen);
    }

    private static String rolling(Rolling r) {
        if (r == null) {
            return null;
        }
        String order = switch (r.order()) {
            case "list" -> String.join(", ", r.orderList());
            case "expr" -> "from " + r.orderExpr() + " (decided at run time)";
            default -> r.order();
        };
        return "batches of " + r.batch() + ", order " + order + (r.gate() != null
                ? "; gate" + (r.gate().when() != null ? " when " + r.gate().when() : "") + ", up to " + r.gate().timeout().toSeconds() + "s" : "");
    }

    /** The destructive steps' ids, in order. */
    public List<String> destructiveSteps() {
        return steps.stream().filter(Entry::destructive).map(Entry::id).toList();
    }

    /** The confirmation gates' ids, in order. */
    public List<String> confirmSteps() {
        return steps.stream().filter(Entry::confirm).map(Entry::id).toList();
    }

    /** The record as plain maps and lists, for JSON. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("runbook", name);
        m.put("description", description);
        m.put("file", runbookFile);
        m.put("sha256", runbookSha256);
        m.put("inventory", inventoryFile);
        m.put("inventory_sha256", inventorySha256);
        m.put("inputs", inputs);
        m.put("targets", targets);
        m.put("preconditions", preconditions);
        m.put("destructive", destructiveSteps());
        m.put("confirm", confirmSteps());
        Map<String, Object> expected = new LinkedHashMap<>();
        expected.put("runs", history.runs());
        expected.put("total_millis", history.runs() == 0 ? null : history.totalMillis());
        m.put("expected", expected);
        List<Object> steps = new ArrayList<>();
        for (Entry e : this.steps) {
            Map<String, Object> st = new LinkedHashMap<>();
            st.put("id", e.id());
            st.put("name", e.title());
            st.put("action", e.kind());
            st.put("needs", e.needs());
            st.put("hosts", e.hosts());
            st.put("destructive", e.destructive());
            st.put("confirm", e.confirm());
            st.put("when", e.when());
            st.put("rolling", e.rolling());
            st.put("rollback", e.rollback());
            st.put("recovery", e.recovery());
            st.put("expected_millis", e.expectedMillis() < 0 ? null : e.expectedMillis());
            st.put("operations", e.perHost());
            steps.add(st);
        }
        m.put("steps", steps);
        return m;
    }
}

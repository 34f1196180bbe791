package dev.runbook.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@link ChangeRecord} as Markdown for a change ticket: summary table, inputs, the step graph as
 * Mermaid, the preconditions, then every step with its exact operations per host. Hosts with
 * identical operations are listed together so a 3-member step reads once.
 */
public final class PlanMarkdown {
    private PlanMarkdown() {
    }

    public static String render(ChangeRecord r) {
        StringBuilder sb = new StringBuilder();
        sb.append("# Change record: ").append(r.name()).append("\n\n");
        if (!r.description().isBlank()) {
            sb.append("**Purpose.** ").append(r.description().replace("\n", " ").replaceAll(" +", " ")).append("\n\n");
        }
        sb.append("| | |\n|---|---|\n");
        row(sb, "Runbook", code(r.runbookFile()) + " (sha256 " + code(shortHash(r.runbookSha256())) + ")");
        row(sb, "Inventory", r.inventoryFile() == null ? "none" : code(r.inventoryFile()) + " (sha256 " + code(shortHash(r.inventorySha256())) + ")");
        List<String> hosts = new ArrayList<>();
        r.targets().forEach((h, a) -> hosts.add(h + (a == null || a.equals(h) ? "" : " (" + a + ")")));
        row(sb, "Target hosts", hosts.isEmpty() ? "the control machine only" : String.join(", ", hosts));
        row(sb, "Steps", String.valueOf(r.steps().size()));
        row(sb, "Destructive steps", r.destructiveSteps().isEmpty() ? "none" : String.join(", ", r.destructiveSteps().stream().map(PlanMarkdown::code).toList()));
        row(sb, "Confirmation gates", r.confirmSteps().isEmpty() ? "none" : String.join(", ", r.confirmSteps().stream().map(PlanMarkdown::code).toList()));
        row(sb, "Expected duration", Durations.expected(r.history()));
        sb.append('\n');
        if (!r.inputs().isEmpty()) {
            sb.append("## Inputs\n\n| input | value |\n|---|---|\n");
            r.inputs().forEach((k, v) -> row(sb, code(k), code(String.valueOf(v))));
            sb.append('\n');
        }
        sb.append("## Step graph\n\nDestructive steps have a red border.\n\n```mermaid\n").append(r.graph().render("mermaid")).append("```\n\n");
        sb.append("## Checked before anything changes\n\n");
        if (r.preconditions().isEmpty()) {
            sb.append(r.destructiveSteps().isEmpty() ? "Nothing in this runbook is marked destructive.\n\n" : "No step is guaranteed to run before every destructive step.\n\n");
        } else {
            sb.append("Every destructive step waits for all of these to pass:\n\n");
            for (String id : r.preconditions()) {
                ChangeRecord.Entry e = entry(r, id);
                sb.append(e.number()).append(". ").append(code(e.id())).append(e.title().equals(e.id()) ? "" : ": " + e.title()).append('\n');
            }
            sb.append('\n');
        }
        sb.append("## Steps\n");
        for (ChangeRecord.Entry e : r.steps()) {
            sb.append("\n### ").append(e.number()).append(". ").append(code(e.id()));
            if (!e.title().equals(e.id())) {
                sb.append(": ").append(e.title());
            }
            sb.append("\n\n");
            List<String> facts = new ArrayList<>();
            if (e.destructive()) {
                facts.add("**DESTRUCTIVE**");
            }
            if (e.confirm()) {
                facts.add("**CONFIRMATION GATE**: the run stops here until the operator types the phrase");
            }
            facts.add("action " + code(e.kind()));
            facts.add("hosts: " + (e.hosts().isEmpty() ? "none" : String.join(", ", e.hosts())));
            facts.add("after: " + (e.needs().isEmpty() ? "nothing (starts at once)" : String.join(", ", e.needs().stream().map(PlanMarkdown::code).toList())));
            if (e.when() != null) {
                facts.add("only when " + code(e.when()));
            }
            if (e.rolling() != null) {
                facts.add("rolling: " + e.rolling());
            }
            if (e.recovery() != null) {
                facts.add("its success marks the recovery point **" + e.recovery() + "** (RTO in the run report)");
            }
            if (e.expectedMillis() >= 0) {
                facts.add("took " + Durations.format(e.expectedMillis()) + " before (median)");
            }
            sb.append("- ").append(String.join("\n- ", facts)).append('\n');
            if (e.rollback() != null) {
                sb.append("- **If it fails here:** ").append(e.rollback().replace("\n", " ")).append('\n');
            }
            sb.append('\n');
            for (Map.Entry<List<String>, List<String>> g : grouped(e.perHost()).entrySet()) {
                sb.append("On ").append(String.join(", ", g.getValue())).append(":\n\n```\n");
                g.getKey().forEach(l -> sb.append(l.replace("```", "`\u200b``")).append('\n'));
                sb.append("```\n\n");
            }
        }
        return sb.toString();
    }

    /** Operations -> the hosts that have exactly these operations, in host order. */
    static Map<List<String>, List<String>> grouped(Map<String, List<String>> perHost) {
        Map<List<String>, List<String>> out = new LinkedHashMap<>();
        perHost.forEach((h, ops) -> out.computeIfAbsent(ops, k -> new ArrayList<>()).add(h));
        return out;
    }

    static ChangeRecord.Entry entry(ChangeRecord r, String id) {
        return r.steps().stream().filter(e -> e.id().equals(id)).findFirst().orElseThrow();
    }

    private static void row(StringBuilder sb, String k, String v) {
        sb.append("| ").append(k).append(" | ").append(v.replace("|", "\\|")).append(" |\n");
    }

    private static String code(String s) {
        return "`" + s.replace("`", "'") + "`";
    }

    static String shortHash(String h) {
        return h == null ? "-" : h.substring(0, Math.min(12, h.length()));
    }
}

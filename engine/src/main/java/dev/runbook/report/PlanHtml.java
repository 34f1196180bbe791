package dev.runbook.report;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;

/**
 * A {@link ChangeRecord} as one self-contained HTML page (inline CSS and SVG, no script, no
 * network): the same content as {@link PlanMarkdown}, with the step graph drawn inline.
 */
public final class PlanHtml {
    private PlanHtml() {
    }

    public static String render(ChangeRecord r) {
        StringBuilder sb = new StringBuilder(Html.head("Change record: " + r.name()));
        sb.append("<h1>Change record: ").append(e(r.name())).append("</h1>\n");
        if (!r.description().isBlank()) {
            sb.append("<p><strong>Purpose.</strong> ").append(e(r.description())).append("</p>\n");
        }
        sb.append("<table>\n");
        row(sb, "Runbook", "<code>" + e(r.runbookFile()) + "</code> (sha256 <code>" + e(PlanMarkdown.shortHash(r.runbookSha256())) + "</code>)");
        row(sb, "Inventory", r.inventoryFile() == null ? "none"
                : "<code>" + e(r.inventoryFile()) + "</code> (sha256 <code>" + e(PlanMarkdown.shortHash(r.inventorySha256())) + "</code>)");
        List<String> hosts = new ArrayList<>();
        r.targets().forEach((h, a) -> hosts.add(e(h) + (a == null || a.equals(h) ? "" : " (" + e(a) + ")")));
        row(sb, "Target hosts", hosts.isEmpty() ? "the control machine only" : String.join(", ", hosts));
        row(sb, "Steps", String.valueOf(r.steps().size()));
        row(sb, "Destructive steps", r.destructiveSteps().isEmpty() ? "none"
                : "<span class=\"destructive\">" + e(String.join(", ", r.destructiveSteps())) + "</span>");
        row(sb, "Confirmation gates", r.confirmSteps().isEmpty() ? "none" : "<span class=\"confirm\">" + e(String.join(", ", r.confirmSteps())) + "</span>");
        row(sb, "Expected duration", e(Durations.expected(r.history())));
        sb.append("</table>\n");
        if (!r.inputs().isEmpty()) {
            sb.append("<h2>Inputs</h2>\n<table>\n<tr><th>input</th><th>value</th></tr>\n");
            r.inputs().forEach((k, v) -> row(sb, "<code>" + e(k) + "</code>", "<code>" + e(String.valueOf(v)) + "</code>"));
            sb.append("</table>\n");
        }
        sb.append("<h2>Step graph</h2>\n<p class=\"muted\">Destructive steps in red, confirmation gates in amber; arrows point from a step to the steps that wait for it.</p>\n");
        sb.append(GraphSvg.render(r.graph(), new HashSet<>(r.confirmSteps())));
        sb.append("<h2>Checked before anything changes</h2>\n");
        if (r.preconditions().isEmpty()) {
            sb.append("<p>").append(r.destructiveSteps().isEmpty() ? "Nothing in this runbook is marked destructive."
                    : "No step is guaranteed to run before every destructive step.").append("</p>\n");
        } else {
            sb.append("<p>Every destructive step waits for all of these to pass:</p>\n<ol>\n");
            for (String id : r.preconditions()) {
                ChangeRecord.Entry en = PlanMarkdown.entry(r, id);
                sb.append("<li value=\"").append(en.number()).append("\"><code>").append(e(en.id())).append("</code>")
                        .append(en.title().equals(en.id()) ? "" : ": " + e(en.title())).append("</li>\n");
            }
            sb.append("</ol>\n");
        }
        sb.append("<h2>Steps</h2>\n");
        for (ChangeRecord.Entry en : r.steps()) {
            sb.append("<div class=\"step").append(en.destructive() ? " destructive-step" : en.confirm() ? " confirm-step" : "").append("\" id=\"step-")
                    .append(e(en.id())).append("\">\n<h3>").append(en.number()).append(". <code>").append(e(en.id())).append("</code>");
            if (!en.title().equals(en.id())) {
                sb.append(": ").append(e(en.title()));
            }
            sb.append("</h3>\n<ul>\n");
            if (en.destructive()) {
                sb.append("<li class=\"destructive\">DESTRUCTIVE</li>\n");
            }
            if (en.confirm()) {
                sb.append("<li class=\"confirm\">CONFIRMATION GATE: the run stops here until the operator types the phrase</li>\n");
            }
            sb.append("<li>action <code>").append(e(en.kind())).append("</code></li>\n");
            sb.append("<li>hosts: ").append(e(en.hosts().isEmpty() ? "none" : String.join(", ", en.hosts()))).append("</li>\n");
            sb.append("<li>after: ").append(e(en.needs().isEmpty() ? "nothing (starts at once)" : String.join(", ", en.needs()))).append("</li>\n");
            if (en.when() != null) {
                sb.append("<li>only when <code>").append(e(en.when())).append("</code></li>\n");
            }
            if (en.rolling() != null) {
                sb.append("<li>rolling: ").append(e(en.rolling())).append("</li>\n");
            }
            if (en.recovery() != null) {
                sb.append("<li>its success marks the recovery point <strong>").append(e(en.recovery())).append("</strong> (RTO in the run report)</li>\n");
            }
            if (en.expectedMillis() >= 0) {
                sb.append("<li>took ").append(Durations.format(en.expectedMillis())).append(" before (median)</li>\n");
            }
            if (en.rollback() != null) {
                sb.append("<li><strong>If it fails here:</strong> ").append(e(en.rollback())).append("</li>\n");
            }
            sb.append("</ul>\n");
            for (Map.Entry<List<String>, List<String>> g : PlanMarkdown.grouped(en.perHost()).entrySet()) {
                sb.append("<p>On ").append(e(String.join(", ", g.getValue()))).append(":</p>\n<pre>").append(e(String.join("\n", g.getKey()))).append("</pre>\n");
            }
            sb.append("</div>\n");
        }
        sb.append("</body>\n</html>\n");
        return sb.toString();
    }

    private static void row(StringBuilder sb, String k, String v) {
        sb.append("<tr><th>").append(k).append("</th><td>").append(v).append("</td></tr>\n");
    }

    private static String e(String s) {
        return Html.escape(s);
    }
}

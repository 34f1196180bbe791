package dev.runbook.report;

import java.util.Map;

/** A {@link RunRecord} as one self-contained HTML page: header, recovery figures, timeline SVG, steps, evidence. */
public final class ReportHtml {
    private ReportHtml() {
    }

    public static String render(RunRecord r) {
        StringBuilder sb = new StringBuilder(Html.head("Run report: " + ReportMarkdown.name(r) + " " + r.runId()));
        sb.append("<h1>Run report: ").append(e(ReportMarkdown.name(r))).append("</h1>\n");
        table(sb, RunSummary.header(r), "Outcome", r.exitCode() != null && r.exitCode() == 0);
        Map<String, String> rec = RunSummary.recovery(r);
        if (!rec.isEmpty()) {
            sb.append("<h2>Recovery</h2>\n");
            table(sb, rec, null, false);
        }
        sb.append("<h2>Timeline</h2>\n").append(TimelineSvg.render(r));
        sb.append("<h2>Steps</h2>\n<table>\n<tr><th>#</th><th>step</th><th>status</th><th>took</th><th>hosts</th></tr>\n");
        int n = 0;
        for (RunRecord.StepRun s : r.steps()) {
            sb.append("<tr><td>").append(++n).append("</td><td><code>").append(e(s.id())).append("</code>")
                    .append(s.destructive() ? " <span class=\"destructive\">destructive</span>" : "")
                    .append(s.recoveryMark() != null ? " (recovery: " + e(s.recoveryMark()) + ")" : "")
                    .append(s.name().equals(s.id()) ? "" : "<br><span class=\"muted\">" + e(s.name()) + "</span>").append("</td><td class=\"").append(s.status().equals("failed") || s.status().equals("aborted") ? "bad" : "ok")
                    .append("\">").append(e(s.status())).append("</td><td>").append(s.end() == null ? "-" : Durations.format(s.end() - s.start()))
                    .append("</td><td>");
            for (RunRecord.HostRun h : s.hosts()) {
                sb.append(e(h.host())).append(": ").append(e(h.status())).append(' ').append(Durations.format(h.millis()))
                        .append(h.msg().isBlank() ? "" : " - " + e(h.msg())).append("<br>");
            }
            sb.append("</td></tr>\n");
        }
        sb.append("</table>\n");
        var ev = RunSummary.evidence(r);
        if (!ev.isEmpty()) {
            sb.append("<h2>Evidence</h2>\n<p class=\"muted\">Values the steps registered, as the journal recorded them.</p>\n");
            for (String[] x : ev) {
                sb.append("<p><code>").append(e(x[0])).append("</code> on ").append(e(x[1])).append(", <code>").append(e(x[2])).append("</code>:</p>\n<pre>")
                        .append(e(x[3])).append("</pre>\n");
            }
        }
        sb.append("</body>\n</html>\n");
        return sb.toString();
    }

    private static void table(StringBuilder sb, Map<String, String> rows, String outcomeKey, boolean ok) {
        sb.append("<table>\n");
        rows.forEach((k, v) -> sb.append("<tr><th>").append(e(k)).append("</th><td").append(k.equals(outcomeKey) ? " class=\"" + (ok ? "ok" : "bad") + "\"" : "")
                .append(">").append(e(v)).append("</td></tr>\n"));
        sb.append("</table>\n");
    }

    private static String e(String s) {
        return Html.escape(s);
    }
}

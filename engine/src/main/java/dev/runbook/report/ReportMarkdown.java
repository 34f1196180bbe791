package dev.runbook.report;

/** A {@link RunRecord} as Markdown: header, recovery figures, outcome per step and host, evidence. */
public final class ReportMarkdown {
    private ReportMarkdown() {
    }

    public static String render(RunRecord r) {
        StringBuilder sb = new StringBuilder("# Run report: ").append(name(r)).append("\n\n| | |\n|---|---|\n");
        RunSummary.header(r).forEach((k, v) -> row(sb, k, v));
        if (!r.inputs().isEmpty()) {
            row(sb, "Inputs", dev.runbook.event.JsonEvents.line(r.inputs()));
        }
        var rec = RunSummary.recovery(r);
        if (!rec.isEmpty()) {
            sb.append("\n## Recovery\n\n| | |\n|---|---|\n");
            rec.forEach((k, v) -> row(sb, k, v));
        }
        sb.append("\n## Steps\n\n| # | step | status | took | hosts |\n|---|---|---|---|---|\n");
        int n = 0;
        for (RunRecord.StepRun s : r.steps()) {
            StringBuilder hosts = new StringBuilder();
            for (RunRecord.HostRun h : s.hosts()) {
                hosts.append(hosts.length() == 0 ? "" : "<br>").append(h.host()).append(": ").append(h.status()).append(" ").append(Durations.format(h.millis()))
                        .append(h.msg().isBlank() ? "" : " - " + cut(h.msg().replace("\n", " "), 160));
            }
            sb.append("| ").append(++n).append(" | `").append(s.id()).append('`').append(s.destructive() ? " **destructive**" : "")
                    .append(s.recoveryMark() != null ? " (recovery: " + s.recoveryMark() + ")" : "").append(" | ").append(s.status()).append(" | ")
                    .append(s.end() == null ? "-" : Durations.format(s.end() - s.start())).append(" | ").append(hosts.toString().replace("|", "\\|")).append(" |\n");
        }
        var ev = RunSummary.evidence(r);
        if (!ev.isEmpty()) {
            sb.append("\n## Evidence (values the steps registered)\n\n");
            for (String[] e : ev) {
                sb.append("- `").append(e[0]).append("` on ").append(e[1]).append(", `").append(e[2]).append("`:\n\n  ```json\n  ").append(e[3]).append("\n  ```\n");
            }
        }
        return sb.toString();
    }

    static String name(RunRecord r) {
        return History.nameOf(r.runbook());
    }

    private static String cut(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max) + "...";
    }

    private static void row(StringBuilder sb, String k, String v) {
        sb.append("| ").append(k).append(" | ").append(v.replace("|", "\\|").replace("\n", " ")).append(" |\n");
    }
}

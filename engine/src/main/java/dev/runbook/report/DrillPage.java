package dev.runbook.report;

import java.util.List;
import java.util.Map;

/**
 * A drill's report: what was broken, whether the data came back, the recovery run's full report,
 * and the trend of earlier drills of the same scenario (RTO over time).
 *
 * @param facts label -> value rows (scenario, injection, verification), in reading order
 * @param history earlier drills of this scenario, oldest first (maps as written to history.jsonl)
 */
public record DrillPage(String scenario, boolean verified, Map<String, String> facts, RunRecord recovery, List<Map<String, Object>> history) {

    public String markdown() {
        StringBuilder sb = new StringBuilder("# Drill: ").append(scenario).append(" - ").append(verified ? "VERIFIED" : "FAILED").append("\n\n| | |\n|---|---|\n");
        facts.forEach((k, v) -> sb.append("| ").append(k).append(" | ").append(v.replace("|", "\\|")).append(" |\n"));
        if (!history.isEmpty()) {
            sb.append("\n## Earlier drills of this scenario\n\n| when | verified | RTO quorum | RTO healthy |\n|---|---|---|---|\n");
            for (Map<String, Object> h : history) {
                sb.append("| ").append(h.get("time")).append(" | ").append(h.get("verified")).append(" | ").append(ms(h.get("rto_quorum_millis")))
                        .append(" | ").append(ms(h.get("rto_healthy_millis"))).append(" |\n");
            }
        }
        if (recovery != null) {
            sb.append("\n").append(ReportMarkdown.render(recovery).replaceFirst("^# Run report: ", "# Recovery run: "));
        }
        return sb.toString();
    }

    public String html() {
        StringBuilder sb = new StringBuilder(Html.head("Drill " + scenario));
        sb.append("<h1>Drill: ").append(Html.escape(scenario)).append(" - <span class=\"").append(verified ? "ok\">VERIFIED" : "bad\">FAILED")
                .append("</span></h1>\n<table>\n");
        facts.forEach((k, v) -> sb.append("<tr><th>").append(Html.escape(k)).append("</th><td>").append(Html.escape(v)).append("</td></tr>\n"));
        sb.append("</table>\n");
        if (history.size() > 1) {
            sb.append("<h2>RTO over time (").append(history.size()).append(" drills of this scenario)</h2>\n").append(trend());
        }
        if (recovery != null) {
            String run = ReportHtml.render(recovery);
            // the recovery run's report, without its own page frame
            int from = run.indexOf("<h1>");
            int to = run.lastIndexOf("</body>");
            sb.append("<h2>Recovery run</h2>\n").append(run, from, to).append('\n');
        }
        sb.append("</body>\n</html>\n");
        return sb.toString();
    }

    /** A line chart of RTO until all healthy (and until quorum) per drill, oldest left. */
    String trend() {
        int w = 760;
        int h = 200;
        int left = 60;
        double max = 1;
        for (Map<String, Object> e : history) {
            max = Math.max(max, num(e.get("rto_healthy_millis")));
        }
        StringBuilder sb = new StringBuilder("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"graph\" viewBox=\"0 0 " + (w + left + 20) + " " + (h + 40)
                + "\" width=\"" + (w + left + 20) + "\" role=\"img\" aria-label=\"RTO trend\">\n");
        for (int i = 0; i <= 4; i++) {
            int y = 10 + h - h * i / 4;
            sb.append("<line x1=\"").append(left).append("\" y1=\"").append(y).append("\" x2=\"").append(left + w).append("\" y2=\"").append(y)
                    .append("\" stroke=\"#ddd\"/><text x=\"").append(left - 6).append("\" y=\"").append(y + 4)
                    .append("\" font-size=\"10\" font-family=\"sans-serif\" text-anchor=\"end\">").append(Durations.format((long) (max * i / 4))).append("</text>\n");
        }
        for (String key : List.of("rto_quorum_millis", "rto_healthy_millis")) {
            StringBuilder pts = new StringBuilder();
            for (int i = 0; i < history.size(); i++) {
                double v = num(history.get(i).get(key));
                int x = left + (history.size() == 1 ? w / 2 : w * i / (history.size() - 1));
                int y = 10 + h - (int) (h * v / max);
                pts.append(x).append(',').append(y).append(' ');
                sb.append("<circle cx=\"").append(x).append("\" cy=\"").append(y).append("\" r=\"3\" fill=\"").append(key.contains("quorum") ? "#4a7bd0" : "#c00")
                        .append("\"><title>").append(Html.escape(String.valueOf(history.get(i).get("time")))).append(": ").append(Durations.format((long) v))
                        .append("</title></circle>\n");
            }
            sb.append("<polyline fill=\"none\" stroke=\"").append(key.contains("quorum") ? "#4a7bd0" : "#c00").append("\" stroke-width=\"1.5\" points=\"")
                    .append(pts.toString().trim()).append("\"/>\n");
        }
        sb.append("<text x=\"").append(left).append("\" y=\"").append(h + 34).append("\" font-size=\"11\" font-family=\"sans-serif\">")
                .append("blue: RTO until quorum; red: RTO until all members healthy; oldest drill left</text>\n</svg>\n");
        return sb.toString();
    }

    private static double num(Object o) {
        return o instanceof Number n ? n.doubleValue() : 0;
    }

    private static String ms(Object o) {
        return o instanceof Number n ? Durations.format(n.longValue()) : "-";
    }
}

package dev.runbook.report;

import java.util.ArrayList;
import java.util.List;

/**
 * A run's timeline as an inline SVG Gantt chart: one row per host, one bar per step on that host
 * from its start for its duration, coloured by outcome, the outage (first destructive step until
 * every member was healthy) shaded. Self-contained, prints as drawn.
 */
final class TimelineSvg {
    private static final int LABEL = 110;
    private static final int ROW = 26;
    private static final int PLOT = 760;

    private TimelineSvg() {
    }

    static String render(RunRecord r) {
        List<String> hosts = new ArrayList<>();
        long t0 = r.startMillis();
        long t1 = t0 + 1;
        for (RunRecord.StepRun s : r.steps()) {
            for (RunRecord.HostRun h : s.hosts()) {
                if (!hosts.contains(h.host())) {
                    hosts.add(h.host());
                }
                t1 = Math.max(t1, h.start() + h.millis());
            }
            if (s.end() != null) {
                t1 = Math.max(t1, s.end());
            }
        }
        if (r.endMillis() != null) {
            t1 = Math.max(t1, r.endMillis());
        }
        double scale = PLOT / (double) (t1 - t0);
        int height = 30 + hosts.size() * ROW + 24;
        StringBuilder sb = new StringBuilder();
        sb.append("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"graph\" viewBox=\"0 0 ").append(LABEL + PLOT + 20).append(' ').append(height)
                .append("\" width=\"").append(LABEL + PLOT + 20).append("\" role=\"img\" aria-label=\"timeline\">\n");
        RunRecord.Recovery rec = r.recovery();
        if (rec != null) {
            long to = rec.healthyAt() != null ? rec.healthyAt() : t1;
            sb.append("<rect x=\"").append(x(rec.outageStart(), t0, scale)).append("\" y=\"20\" width=\"")
                    .append(Math.max(1, (int) ((to - rec.outageStart()) * scale))).append("\" height=\"").append(hosts.size() * ROW + 6)
                    .append("\" fill=\"#fde8e8\"><title>outage: first destructive step until every member healthy</title></rect>\n");
        }
        for (int i = 0; i <= 10; i++) {
            long t = t0 + (t1 - t0) * i / 10;
            int x = x(t, t0, scale);
            sb.append("<line x1=\"").append(x).append("\" y1=\"20\" x2=\"").append(x).append("\" y2=\"").append(26 + hosts.size() * ROW)
                    .append("\" stroke=\"#ddd\"/><text x=\"").append(x).append("\" y=\"14\" font-size=\"10\" font-family=\"sans-serif\" text-anchor=\"middle\">")
                    .append(Durations.format(t - t0)).append("</text>\n");
        }
        for (int i = 0; i < hosts.size(); i++) {
            int y = 24 + i * ROW;
            sb.append("<text x=\"4\" y=\"").append(y + 15).append("\" font-size=\"12\" font-family=\"monospace\">").append(Html.escape(hosts.get(i)))
                    .append("</text>\n");
            for (RunRecord.StepRun s : r.steps()) {
                for (RunRecord.HostRun h : s.hosts()) {
                    if (!h.host().equals(hosts.get(i)) || h.status().equals("not-run")) {
                        continue;
                    }
                    String fill = switch (h.status()) {
                        case "failed", "aborted" -> "#d33";
                        case "skipped" -> "#ccc";
                        default -> s.destructive() ? "#e08a00" : "#4a7bd0";
                    };
                    sb.append("<rect x=\"").append(x(h.start(), t0, scale)).append("\" y=\"").append(y + 2).append("\" width=\"")
                            .append(Math.max(2, (int) (h.millis() * scale))).append("\" height=\"").append(ROW - 8).append("\" fill=\"").append(fill)
                            .append("\" stroke=\"#fff\" stroke-width=\"0.5\"><title>").append(Html.escape(s.id() + " on " + h.host() + ": " + h.status()
                                    + ", " + Durations.format(h.millis()) + (h.msg().isBlank() ? "" : " - " + h.msg())))
                            .append("</title></rect>\n");
                }
            }
        }
        int ly = height - 8;
        sb.append("<g font-size=\"11\" font-family=\"sans-serif\">")
                .append(legend(LABEL, ly, "#4a7bd0", "step")).append(legend(LABEL + 80, ly, "#e08a00", "destructive step"))
                .append(legend(LABEL + 210, ly, "#d33", "failed")).append(legend(LABEL + 290, ly, "#ccc", "skipped"))
                .append(legend(LABEL + 370, ly, "#fde8e8", "outage")).append("</g>\n</svg>\n");
        return sb.toString();
    }

    private static String legend(int x, int y, String color, String label) {
        return "<rect x=\"" + x + "\" y=\"" + (y - 9) + "\" width=\"10\" height=\"10\" fill=\"" + color + "\" stroke=\"#999\"/><text x=\"" + (x + 14)
                + "\" y=\"" + y + "\">" + label + "</text>";
    }

    private static int x(long t, long t0, double scale) {
        return LABEL + (int) ((t - t0) * scale);
    }
}

package dev.runbook.report;

import dev.runbook.graph.StepGraph;
import dev.runbook.model.Step;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The step graph as an inline SVG: one row per depth (longest chain of needs), steps left to right
 * in runbook order, arrows from each need. Destructive steps are red, confirmation gates amber.
 * No scripts, fonts or external references, so it prints and works offline.
 */
final class GraphSvg {
    private static final int W = 230;
    private static final int H = 44;
    private static final int GAP_X = 20;
    private static final int GAP_Y = 36;

    private GraphSvg() {
    }

    static String render(StepGraph graph, java.util.Set<String> confirm) {
        Map<String, Integer> depth = new HashMap<>();
        List<List<Step>> rows = new ArrayList<>();
        for (Step s : graph.order()) {
            int d = 0;
            for (String n : s.needs()) {
                d = Math.max(d, depth.getOrDefault(n, 0) + 1);
            }
            depth.put(s.id(), d);
            while (rows.size() <= d) {
                rows.add(new ArrayList<>());
            }
            rows.get(d).add(s);
        }
        int cols = rows.stream().mapToInt(List::size).max().orElse(1);
        int width = cols * (W + GAP_X) + GAP_X;
        int height = rows.size() * (H + GAP_Y) + GAP_Y - 10;
        Map<String, int[]> at = new HashMap<>();
        for (int r = 0; r < rows.size(); r++) {
            List<Step> row = rows.get(r);
            int offset = (width - row.size() * (W + GAP_X) + GAP_X) / 2;
            for (int c = 0; c < row.size(); c++) {
                at.put(row.get(c).id(), new int[] {offset + c * (W + GAP_X), 14 + r * (H + GAP_Y)});
            }
        }
        StringBuilder sb = new StringBuilder();
        sb.append("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"graph\" viewBox=\"0 0 ").append(width).append(' ').append(height)
                .append("\" width=\"").append(width).append("\" role=\"img\" aria-label=\"step graph\">\n");
        sb.append("<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto\">")
                .append("<path d=\"M0,0 L10,5 L0,10 z\" fill=\"#555\"/></marker></defs>\n");
        for (Step s : graph.order()) {
            int[] to = at.get(s.id());
            for (String n : s.needs()) {
                int[] from = at.get(n);
                sb.append("<line x1=\"").append(from[0] + W / 2).append("\" y1=\"").append(from[1] + H).append("\" x2=\"").append(to[0] + W / 2)
                        .append("\" y2=\"").append(to[1]).append("\" stroke=\"#555\" stroke-width=\"1.2\" marker-end=\"url(#arrow)\"/>\n");
            }
        }
        for (Step s : graph.order()) {
            int[] p = at.get(s.id());
            boolean destructive = s.destructive() || (s.isBlock() && s.block().stream().anyMatch(Step::destructive));
            String stroke = destructive ? "#c00" : confirm.contains(s.id()) ? "#d08000" : "#333";
            String fill = destructive ? "#fde8e8" : confirm.contains(s.id()) ? "#fff4dc" : "#f4f6f8";
            sb.append("<g><rect x=\"").append(p[0]).append("\" y=\"").append(p[1]).append("\" width=\"").append(W).append("\" height=\"").append(H)
                    .append("\" rx=\"6\" fill=\"").append(fill).append("\" stroke=\"").append(stroke).append("\" stroke-width=\"")
                    .append(destructive ? 2.5 : 1.2).append("\"/>");
            sb.append("<text x=\"").append(p[0] + 8).append("\" y=\"").append(p[1] + 18).append("\" font-family=\"monospace\" font-size=\"13\" font-weight=\"bold\">")
                    .append(Html.escape(cut(s.id(), 28))).append("</text>");
            sb.append("<text x=\"").append(p[0] + 8).append("\" y=\"").append(p[1] + 35).append("\" font-family=\"sans-serif\" font-size=\"11\" fill=\"#444\">")
                    .append(Html.escape(cut("[" + s.hosts() + "]" + (destructive ? " destructive" : confirm.contains(s.id()) ? " confirm" : ""), 36)))
                    .append("</text><title>").append(Html.escape(s.title())).append("</title></g>\n");
        }
        sb.append("</svg>\n");
        return sb.toString();
    }

    private static String cut(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max - 1) + "\u2026";
    }
}

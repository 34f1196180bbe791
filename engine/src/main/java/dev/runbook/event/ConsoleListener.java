package dev.runbook.event;

import dev.runbook.model.Step;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The operator's view: one line per step x host as it finishes, then a recap table per host. */
public final class ConsoleListener implements RunListener {
    private final PrintStream out;
    private final boolean verbose;

    public ConsoleListener(PrintStream out, boolean verbose) {
        this.out = out;
        this.verbose = verbose;
    }

    @Override
    public synchronized void runStarted(RunInfo info) {
        out.println((info.check() ? "CHECK " : "") + "run " + info.runId() + ": " + info.runbook()
                + (info.inventory() != null ? " on " + info.inventory() : "") + (info.ticket() != null ? " (ticket " + info.ticket() + ")" : "")
                + (info.resumedFrom() != null ? ", resuming " + info.resumedFrom() : ""));
    }

    @Override
    public synchronized void stepStarted(Step step, List<String> hosts) {
        out.println("== " + step.id() + (step.name() != null ? ": " + step.name() : "") + "  [" + String.join(" ", hosts) + "]"
                + (step.destructive() ? "  (destructive)" : ""));
    }

    @Override
    public synchronized void hostFinished(Step step, HostResult r) {
        out.printf("  %-8s %-12s %-24s %7s  %s%n", r.status().label(), r.host(), step.id(), ms(r.millis()), oneLine(r.msg()));
        if (r.status() == HostResult.Status.FAILED || verbose) {
            tail("stdout", r.stdout());
            tail("stderr", r.stderr());
        }
    }

    private void tail(String name, String text) {
        if (text == null || text.isBlank()) {
            return;
        }
        String[] lines = text.strip().split("\n");
        int from = Math.max(0, lines.length - 10);
        out.println("      " + name + (from > 0 ? " (last 10 lines)" : "") + ":");
        for (int i = from; i < lines.length; i++) {
            out.println("        " + lines[i]);
        }
    }

    @Override
    public synchronized void stepFinished(Step step, HostResult.Status status, String msg) {
        if (status == HostResult.Status.FAILED || status == HostResult.Status.ABORTED) {
            if (step.destructive()) {
                out.println("  !! destructive step '" + step.id() + "' did not complete everywhere: the recap below shows where it ran");
            }
            if (step.rollback() != null) {
                out.println("  what now: " + step.rollback().strip());
            }
        }
    }

    @Override
    public synchronized void message(String text) {
        out.println("  .. " + text);
    }

    @Override
    public synchronized void runFinished(RunSummary s) {
        Map<String, int[]> perHost = new LinkedHashMap<>();
        for (HostResult r : s.results()) {
            int[] c = perHost.computeIfAbsent(r.host(), k -> new int[HostResult.Status.values().length]);
            c[r.status().ordinal()]++;
        }
        out.println();
        out.println("RECAP " + s.runId() + "  " + s.outcome() + " in " + ms(s.millis()));
        out.printf("  %-12s %5s %8s %7s %8s %8s %8s%n", "host", "ok", "changed", "failed", "skipped", "not-run", "aborted");
        perHost.forEach((h, c) -> out.printf("  %-12s %5d %8d %7d %8d %8d %8d%n", h, c[0], c[1], c[2], c[3], c[4], c[5]));
    }

    static String ms(long millis) {
        return millis < 1000 ? millis + "ms" : String.format("%.1fs", millis / 1000.0);
    }

    private static String oneLine(String s) {
        if (s == null) {
            return "";
        }
        String t = s.strip().replace('\n', ' ');
        return t.length() > 160 ? t.substring(0, 157) + "..." : t;
    }
}

package dev.runbook.cli;

import dev.runbook.event.JsonEvents;
import dev.runbook.exec.Planner;
import dev.runbook.exec.RunOptions;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code runbook plan}: every step with the exact commands and edits per host, rendered, touching nothing. */
@Command(name = "plan", description = "Show exactly what apply would do, per step and host, without connecting to anything.")
final class PlanCommand implements Callable<Integer> {
    enum Format { text, json }

    @Mixin
    RunArgs args;

    @Option(names = "--format", defaultValue = "text", description = "text or json (default: ${DEFAULT-VALUE})")
    Format format;

    @Option(names = "--debug", description = "stack traces on errors")
    boolean debug;

    /** The {@code run} variables of a run that has not started: named placeholders, never guesses. */
    static Map<String, Object> runPlaceholders() {
        Map<String, Object> run = new LinkedHashMap<>();
        run.put("id", new dev.runbook.template.Placeholder("run.id"));
        run.put("timestamp", new dev.runbook.template.Placeholder("run.timestamp"));
        run.put("ticket", new dev.runbook.template.Placeholder("run.ticket"));
        run.put("check", true);
        return run;
    }

    static Planner planner(Session s, String runId) {
        RunOptions opts = new RunOptions(1, null, new AtomicBoolean(), s.runbookPath.toAbsolutePath().getParent(), runId,
                new ConsoleOperator(true), Set.of(), new dev.runbook.action.RunResources());
        return new Planner(s.graph, s.targets, s.scopes, opts);
    }

    @Override
    public Integer call() {
        if (debug) {
            System.setProperty("runbook.debug", "true");
        }
        Session s = Session.load(args.runbook, args.inventory, args.givenInputs(), args.limit,
                PlanCommand.runPlaceholders());
        List<Planner.StepPlan> plan = planner(s, "<<run.id>>").plan();
        if (format == Format.json) {
            System.out.println(JsonEvents.line(json(s, plan)));
        } else {
            print(System.out, s, plan);
        }
        return 0;
    }

    static void print(PrintStream out, Session s, List<Planner.StepPlan> plan) {
        out.println("PLAN " + s.runbook.name() + "  (" + s.runbookPath + ")");
        if (!s.runbook.description().isBlank()) {
            out.println("  " + s.runbook.description().strip().replace("\n", "\n  "));
        }
        if (!s.printableInputs().isEmpty()) {
            out.println("inputs: " + s.printableInputs());
        }
        for (Planner.StepPlan p : plan) {
            out.println();
            out.println("[" + p.step().id() + "] " + p.step().title() + "   hosts: " + (p.hosts().isEmpty() ? "(none)" : String.join(", ", p.hosts()))
                    + (p.step().destructive() ? "   ** DESTRUCTIVE **" : "")
                    + (p.step().rolling() != null ? "   rolling: batch " + p.step().rolling().batch() + ", order " + p.step().rolling().order() : ""));
            if (!p.step().needs().isEmpty()) {
                out.println("  after: " + String.join(", ", p.step().needs()));
            }
            if (p.step().rollback() != null) {
                out.println("  if it fails: " + p.step().rollback().strip());
            }
            p.perHost().forEach((host, lines) -> {
                out.println("  " + host + ":");
                lines.forEach(l -> out.println("    " + s.masker.mask(l)));
            });
        }
    }

    static Map<String, Object> json(Session s, List<Planner.StepPlan> plan) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("runbook", s.runbook.name());
        m.put("file", s.runbookPath.toString());
        m.put("sha256", s.runbook.sha256());
        m.put("inputs", s.printableInputs());
        List<Object> steps = new ArrayList<>();
        for (Planner.StepPlan p : plan) {
            Map<String, Object> st = new LinkedHashMap<>();
            st.put("id", p.step().id());
            st.put("name", p.step().title());
            st.put("needs", p.step().needs());
            st.put("hosts", p.hosts());
            st.put("destructive", p.step().destructive());
            Map<String, Object> ops = new LinkedHashMap<>();
            p.perHost().forEach((h, lines) -> ops.put(h, lines.stream().map(s.masker::mask).toList()));
            st.put("operations", ops);
            steps.add(st);
        }
        m.put("steps", steps);
        return m;
    }
}

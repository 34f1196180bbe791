package dev.runbook.cli;

import dev.runbook.run.StateDir;
import dev.runbook.run.RunSetup;
import dev.runbook.event.JsonEvents;
import dev.runbook.exec.Planner;
import dev.runbook.exec.RunOptions;
import dev.runbook.report.ChangeRecord;
import dev.runbook.report.History;
import dev.runbook.report.PlanHtml;
import dev.runbook.report.PlanMarkdown;
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

/**
 * {@code runbook plan}: every step with the exact commands and edits per host, rendered, touching
 * nothing; as text for the terminal, or as a change record (Markdown, HTML, JSON) for a ticket.
 */
@Command(name = "plan", description = "Show exactly what apply would do, per step and host, without connecting to anything.")
final class PlanCommand implements Callable<Integer> {
    enum Format { text, md, html, json }

    @Mixin
    RunArgs args;

    @Option(names = "--format", defaultValue = "text", description = "text, md, html or json (default: ${DEFAULT-VALUE}); "
            + "md/html/json are the change record: purpose, inputs, targets, graph, preconditions, every operation per host")
    Format format;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "write to FILE instead of standard output")
    java.nio.file.Path output;

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

    static Planner planner(RunSetup s, String runId) {
        RunOptions opts = new RunOptions(1, null, new AtomicBoolean(), s.runbookPath.toAbsolutePath().getParent(), runId,
                new ConsoleOperator(true), Set.of(), new dev.runbook.action.RunResources());
        return new Planner(s.graph, s.targets, s.scopes, opts);
    }

    @Override
    public Integer call() {
        if (debug) {
            System.setProperty("runbook.debug", "true");
        }
        RunSetup s = RunSetup.load(args.runbook, args.inventory, args.givenInputs(), args.limit,
                PlanCommand.runPlaceholders());
        List<Planner.StepPlan> plan = planner(s, "<<run.id>>").plan();
        String text = switch (format) {
            case text -> {
                java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream();
                print(new PrintStream(buf, true, java.nio.charset.StandardCharsets.UTF_8), s, plan);
                yield buf.toString(java.nio.charset.StandardCharsets.UTF_8);
            }
            case md -> PlanMarkdown.render(record(s, plan));
            case html -> PlanHtml.render(record(s, plan));
            case json -> JsonEvents.line(record(s, plan).toMap()) + "\n";
        };
        if (output == null) {
            System.out.print(text);
        } else {
            try {
                java.nio.file.Files.writeString(output, text);
            } catch (java.io.IOException e) {
                throw dev.runbook.error.RunbookException.invalid(null, "cannot write " + output + ": " + e.getMessage(), null);
            }
            System.err.println("plan written to " + output);
        }
        return 0;
    }

    static void print(PrintStream out, RunSetup s, List<Planner.StepPlan> plan) {
        out.println("PLAN " + s.runbook.name() + "  (" + s.runbookPath + ")");
        if (!s.runbook.description().isBlank()) {
            out.println("  " + s.runbook.description().strip().replace("\n", "\n  "));
        }
        if (!s.printableInputs().isEmpty()) {
            out.println("inputs: " + s.printableInputs());
        }
        // how each host is reached, where that is more than its address (jump hosts, sudo)
        s.reach().forEach((h, r) -> {
            if (dev.runbook.transport.ssh.TargetResolver.worthSaying(r)) {
                out.println("reach: " + h + " = " + r);
            }
        });
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

    /** The change record of this plan; expected durations come from this machine's earlier journals. */
    static ChangeRecord record(RunSetup s, List<Planner.StepPlan> plan) {
        return ChangeRecord.of(s.runbook, s.runbookPath.toString(), s.inventory, s.inventoryPath == null ? null : s.inventoryPath.toString(),
                s.printableInputs(), plan, s.graph, s.masker, History.of(StateDir.current().runs(), s.runbookPath));
    }
}

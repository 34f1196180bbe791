package dev.runbook.cli;

import dev.runbook.drill.Drill;
import dev.runbook.error.RunbookException;
import dev.runbook.journal.JournalReader;
import dev.runbook.run.ResumePoint;
import dev.runbook.run.StateDir;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code runbook resume RUN_ID}: continues a failed or interrupted run with the same runbook,
 * inventory and inputs, skipping the steps that completed on all their hosts; refuses when the
 * runbook or inventory changed since.
 */
@Command(name = "resume", description = "Continue a failed or interrupted run (or drill) after its last completed steps; default: the newest run.")
final class ResumeCommand implements Callable<Integer> {
    @Parameters(index = "0", arity = "0..1", paramLabel = "RUN_ID", description = "a run id, a drill id (drill-...), or nothing for the newest run")
    String runId;

    @Option(names = "--this-run-only", hidden = true, description = "resume this run even when it belongs to a drill")
    boolean thisRunOnly;

    @Option(names = {"--var", "-e"}, paramLabel = "NAME=VALUE", description = "re-supply inputs (secret inputs are never journaled)")
    Map<String, String> vars = new LinkedHashMap<>();

    @Mixin
    ExecArgs exec;

    @Override
    public Integer call() throws Exception {
        StateDir state = StateDir.current();
        if (runId == null) {
            runId = newestUnfinished(state);
        }
        if (runId.startsWith("drill-")) {
            return DrillCommand.resume(runId);
        }
        ResumePoint point = ResumePoint.of(state, runId);
        if (point.drillPhase() != null && !thisRunOnly) {
            // a drill's phase: the drill resumes it, then carries on with its remaining phases
            String drill = point.drillPhase().substring(0, point.drillPhase().indexOf(':'));
            System.out.println("run " + runId + " is part of drill " + drill);
            return DrillCommand.resume(drill);
        }
        point.requireResumable(state);
        RunArgs args = new RunArgs();
        args.runbook = point.runbook();
        args.inventory = point.inventory();
        point.inputs().forEach((k, v) -> args.vars.put(k, String.valueOf(v)));
        args.vars.putAll(vars);
        args.limit = point.limit();
        var done = point.resume().done();
        System.out.println("resuming " + runId + ": " + done.size() + " steps completed earlier and are skipped"
                + (done.isEmpty() ? "" : " (" + String.join(", ", done) + ")"));
        return ApplyCommand.run(ApplyCommand.request(args, exec, false, point.recordedArgs(), point.resume()), exec);
    }

    /** What {@code runbook resume} alone continues: the newest thing that ran (a run or a drill), if it did not finish. */
    private static String newestUnfinished(StateDir state) {
        String run = JournalReader.newestAttempt(state.runs());
        long runStart = run == null ? 0 : JournalReader.startedAt(state.runs(), run);
        String drill = Drill.newestUnfinished(state, runStart);
        if (drill != null) {
            System.out.println("the newest unfinished work is drill " + drill);
            return drill;
        }
        String unfinished = ResumePoint.newestUnfinished(state);
        if (unfinished == null) {
            throw RunbookException.invalid(null, "no runs under " + state.runs() + " to resume", "run ids are printed when a run fails or is interrupted");
        }
        System.out.println("the newest unfinished run is " + unfinished);
        return unfinished;
    }
}

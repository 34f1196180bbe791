package dev.runbook.cli;

import dev.runbook.error.RunbookException;
import dev.runbook.journal.JournalReader;
import dev.runbook.parse.Hashes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
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

    @Option(names = "--this-run-only", hidden = true, description = "resume this run even when it belongs to a drill (the drill itself uses this)")
    boolean thisRunOnly;

    @Option(names = {"--var", "-e"}, paramLabel = "NAME=VALUE", description = "re-supply inputs (secret inputs are never journaled)")
    Map<String, String> vars = new LinkedHashMap<>();

    @Mixin
    ExecArgs exec;

    @Override
    @SuppressWarnings("unchecked")
    public Integer call() throws Exception {
        if (runId == null) {
            runId = newestUnfinished();
        }
        if (runId.startsWith("drill-")) {
            return DrillCommand.resume(runId);
        }
        JournalReader j = JournalReader.read(ApplyCommand.runs(), runId);
        Map<String, Object> start = j.start();
        List<String> recordedArgs = (List<String>) start.getOrDefault("args", List.of());
        String drill = recordedArgs.stream().filter(a -> a.startsWith("--drill=")).map(a -> a.substring("--drill=".length())).findFirst().orElse(null);
        if (drill != null && !thisRunOnly) {
            // a drill's phase: the drill resumes it, then carries on with its remaining phases
            System.out.println("run " + runId + " is part of drill " + drill.substring(0, drill.indexOf(':')));
            return DrillCommand.resume(drill.substring(0, drill.indexOf(':')));
        }
        Path runbook = Path.of(String.valueOf(start.get("runbook")));
        Path inventory = start.get("inventory") == null ? null : Path.of(String.valueOf(start.get("inventory")));
        refuseIfChanged("runbook", runbook, (String) start.get("runbook_sha256"));
        if (inventory != null) {
            refuseIfChanged("inventory", inventory, (String) start.get("inventory_sha256"));
        }
        if (j.end() != null && Integer.valueOf(0).equals(j.end().get("exit_code"))) {
            throw RunbookException.invalid(null, "run " + runId + " already finished successfully; nothing to resume", null);
        }
        RunArgs args = new RunArgs();
        args.runbook = runbook;
        args.inventory = inventory;
        Map<String, Object> inputs = (Map<String, Object>) start.getOrDefault("inputs", Map.of());
        inputs.forEach((k, v) -> {
            if (!"******".equals(v)) {
                args.vars.put(k, String.valueOf(v));
            }
        });
        args.vars.putAll(vars);
        List<String> recorded = recordedArgs;
        for (String a : recorded) {
            if (a.startsWith("--limit=")) {
                args.limit = a.substring("--limit=".length());
            }
        }
        // a resume of a resume: the steps every earlier attempt completed, and what they registered (newest wins)
        List<JournalReader> chain = chain(j);
        java.util.Set<String> completed = new java.util.LinkedHashSet<>();
        Map<String, Map<String, Object>> registered = new LinkedHashMap<>();
        for (int i = chain.size() - 1; i >= 0; i--) {
            completed.addAll(chain.get(i).completedSteps());
            chain.get(i).registeredByHost().forEach((host, regs) -> registered.computeIfAbsent(host, k -> new LinkedHashMap<>()).putAll(regs));
        }
        String origin = chain.get(chain.size() - 1).runId();
        System.out.println("resuming " + runId + ": " + completed.size() + " steps completed earlier and are skipped"
                + (completed.isEmpty() ? "" : " (" + String.join(", ", completed) + ")"));
        return ApplyCommand.run(args, exec, false, completed, registered, runId, origin, new ArrayList<>(recorded));
    }

    /**
     * What {@code runbook resume} alone continues: the newest thing that ran, if it did not finish.
     * Never an older unfinished run behind a newer finished one (a day-old restore resumed past its
     * confirmation by accident); those are resumed by id only.
     */
    private static String newestUnfinished() {
        String run = JournalReader.newestAttempt(ApplyCommand.runs());
        long runStart = run == null ? 0 : JournalReader.startedAt(ApplyCommand.runs(), run);
        String drill = DrillCommand.newestUnfinished(runStart);
        if (drill != null) {
            System.out.println("the newest unfinished work is drill " + drill);
            return drill;
        }
        if (run == null) {
            throw RunbookException.invalid(null, "no runs under " + ApplyCommand.runs() + " to resume", "run ids are printed when a run fails or is interrupted");
        }
        Map<String, Object> end = JournalReader.read(ApplyCommand.runs(), run).end();
        if (end != null && Integer.valueOf(0).equals(end.get("exit_code"))) {
            throw RunbookException.invalid(null, "the newest run, " + run + ", finished successfully; nothing to resume",
                    "to continue an older run, name it: runbook resume RUN_ID (run ids are the directories under " + ApplyCommand.runs() + ")");
        }
        System.out.println("the newest unfinished run is " + run);
        return run;
    }

    /**
     * The run and the runs it resumed, newest first, back to the run the operator started (whose
     * run.id and run.timestamp the whole chain keeps). A missing earlier journal ends the chain.
     */
    static List<JournalReader> chain(JournalReader newest) {
        List<JournalReader> out = new ArrayList<>(List.of(newest));
        for (int i = 0; i < 100; i++) {
            Object from = out.get(out.size() - 1).start().get("resumed_from");
            if (from == null) {
                break;
            }
            try {
                out.add(JournalReader.read(ApplyCommand.runs(), String.valueOf(from)));
            } catch (RunbookException e) {
                break;
            }
        }
        return out;
    }

    private static void refuseIfChanged(String what, Path file, String recorded) {
        if (!Files.isRegularFile(file)) {
            throw RunbookException.invalid(null, "the " + what + " of this run, " + file + ", no longer exists", "resume from the directory the run started in");
        }
        String now = Hashes.sha256(file);
        if (!now.equals(recorded)) {
            throw RunbookException.invalid(null, "the " + what + " " + file + " changed since the run started (sha256 "
                    + (recorded == null ? "?" : recorded.substring(0, 12)) + " then, " + now.substring(0, 12) + " now); refusing to resume",
                    "a resumed run must do what the journal's run would have done; start a new run with apply instead");
        }
    }
}

package dev.runbook.run;

import dev.runbook.error.RunbookException;
import dev.runbook.journal.JournalReader;
import dev.runbook.parse.Hashes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Where a failed or interrupted run stands, read from its journal and the journals of the runs it
 * resumed: the same runbook and inventory (refused when either changed since), its journaled
 * inputs (secret ones are never journaled), its arguments, and the steps already completed.
 *
 * @param drillPhase the drill phase the run was ({@code DRILL_ID:PHASE}), else null
 */
public record ResumePoint(String runId, Path runbook, Path inventory, Map<String, Object> inputs, String limit, List<String> recordedArgs,
                          String drillPhase, RunRequest.Resume resume) {
    /** The resume point of {@code runId}, as its journals say; {@link #requireResumable} checks it can be resumed. */
    @SuppressWarnings("unchecked")
    public static ResumePoint of(StateDir state, String runId) {
        JournalReader j = JournalReader.read(state.runs(), runId);
        Map<String, Object> start = j.start();
        List<String> args = (List<String>) start.getOrDefault("args", List.of());
        String drill = arg(args, "--drill=");
        Path runbook = Path.of(String.valueOf(start.get("runbook")));
        Path inventory = start.get("inventory") == null ? null : Path.of(String.valueOf(start.get("inventory")));
        Map<String, Object> inputs = new LinkedHashMap<>();
        ((Map<String, Object>) start.getOrDefault("inputs", Map.of())).forEach((k, v) -> {
            if (!"******".equals(v)) {
                inputs.put(k, String.valueOf(v));
            }
        });
        // a resume of a resume: the steps every earlier attempt completed, and what they registered (newest wins)
        List<JournalReader> chain = chain(state, j);
        Set<String> completed = new LinkedHashSet<>();
        Map<String, Map<String, Object>> registered = new LinkedHashMap<>();
        for (int i = chain.size() - 1; i >= 0; i--) {
            completed.addAll(chain.get(i).completedSteps());
            chain.get(i).registeredByHost().forEach((host, regs) -> registered.computeIfAbsent(host, k -> new LinkedHashMap<>()).putAll(regs));
        }
        String origin = chain.get(chain.size() - 1).runId();
        return new ResumePoint(runId, runbook, inventory, inputs, arg(args, "--limit="), List.copyOf(args), drill,
                new RunRequest.Resume(completed, registered, runId, origin));
    }

    /**
     * Refuses a run that finished successfully, and one whose runbook or inventory changed since it
     * started: a resumed run must do what the journaled one would have.
     */
    public void requireResumable(StateDir state) {
        JournalReader j = JournalReader.read(state.runs(), runId);
        Map<String, Object> start = j.start();
        refuseIfChanged("runbook", runbook, (String) start.get("runbook_sha256"));
        if (inventory != null) {
            refuseIfChanged("inventory", inventory, (String) start.get("inventory_sha256"));
        }
        if (j.end() != null && Integer.valueOf(0).equals(j.end().get("exit_code"))) {
            throw RunbookException.invalid(null, "run " + runId + " already finished successfully; nothing to resume", null);
        }
    }

    /**
     * The newest run that started on this machine, if it did not finish successfully. Never an
     * older unfinished run behind a newer finished one (a day-old restore resumed past its
     * confirmation by accident); those are resumed by id only. Null when there is no run at all.
     */
    public static String newestUnfinished(StateDir state) {
        String run = JournalReader.newestAttempt(state.runs());
        if (run == null) {
            return null;
        }
        Map<String, Object> end = JournalReader.read(state.runs(), run).end();
        if (end != null && Integer.valueOf(0).equals(end.get("exit_code"))) {
            throw RunbookException.invalid(null, "the newest run, " + run + ", finished successfully; nothing to resume",
                    "to continue an older run, name it: runbook resume RUN_ID (run ids are the directories under " + state.runs() + ")");
        }
        return run;
    }

    /**
     * The run and the runs it resumed, newest first, back to the run the operator started (whose
     * run.id and run.timestamp the whole chain keeps). A missing earlier journal ends the chain.
     */
    static List<JournalReader> chain(StateDir state, JournalReader newest) {
        List<JournalReader> out = new ArrayList<>(List.of(newest));
        for (int i = 0; i < 100; i++) {
            Object from = out.get(out.size() - 1).start().get("resumed_from");
            if (from == null) {
                break;
            }
            try {
                out.add(JournalReader.read(state.runs(), String.valueOf(from)));
            } catch (RunbookException e) {
                break;
            }
        }
        return out;
    }

    private static String arg(List<String> args, String prefix) {
        return args.stream().filter(a -> a.startsWith(prefix)).map(a -> a.substring(prefix.length())).findFirst().orElse(null);
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

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
@Command(name = "resume", description = "Continue a failed or interrupted run after its last completed steps.")
final class ResumeCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "RUN_ID")
    String runId;

    @Option(names = "--var", paramLabel = "NAME=VALUE", description = "re-supply inputs (secret inputs are never journaled)")
    Map<String, String> vars = new LinkedHashMap<>();

    @Mixin
    ExecArgs exec;

    @Override
    @SuppressWarnings("unchecked")
    public Integer call() {
        JournalReader j = JournalReader.read(ApplyCommand.runs(), runId);
        Map<String, Object> start = j.start();
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
        List<String> recorded = (List<String>) start.getOrDefault("args", List.of());
        for (String a : recorded) {
            if (a.startsWith("--limit=")) {
                args.limit = a.substring("--limit=".length());
            }
        }
        System.out.println("resuming " + runId + ": " + j.completedSteps().size() + " steps completed earlier and are skipped"
                + (j.completedSteps().isEmpty() ? "" : " (" + String.join(", ", j.completedSteps()) + ")"));
        return ApplyCommand.run(args, exec, false, j.completedSteps(), j.registeredByHost(), runId, new ArrayList<>(recorded));
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

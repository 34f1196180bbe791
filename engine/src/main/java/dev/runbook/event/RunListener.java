package dev.runbook.event;

import dev.runbook.model.Step;
import java.util.List;
import java.util.Map;

/**
 * Observes a run. Every method is a no-op by default. Order: {@code runStarted}, then per step
 * {@code stepStarted}, its {@code hostFinished} calls (from several threads; implementations
 * synchronize), {@code stepFinished}; {@code message} at any time; finally {@code runFinished} once.
 */
public interface RunListener {
    default void runStarted(RunInfo info) {
    }

    default void stepStarted(Step step, List<String> hosts) {
    }

    default void hostFinished(Step step, HostResult result) {
    }

    default void stepFinished(Step step, HostResult.Status status, String msg) {
    }

    /** Progress worth telling the operator (gates waiting, hosts connecting). */
    default void message(String text) {
    }

    default void runFinished(RunSummary summary) {
    }

    /** What is being run, by whom, against what. */
    record RunInfo(String runId, String runbook, String runbookSha256, String inventory, String inventorySha256,
                   String operator, String ticket, boolean check, Map<String, Object> inputs, List<String> args,
                   String resumedFrom, long startMillis, Map<String, String> reach) {
        /** Without the hosts' reach (see {@code reach}: host -> how it is reached, e.g. "ops@10.0.0.11:22 via ops@bastion:22, sudo"). */
        public RunInfo(String runId, String runbook, String runbookSha256, String inventory, String inventorySha256,
                       String operator, String ticket, boolean check, Map<String, Object> inputs, List<String> args,
                       String resumedFrom, long startMillis) {
            this(runId, runbook, runbookSha256, inventory, inventorySha256, operator, ticket, check, inputs, args, resumedFrom, startMillis, Map.of());
        }
    }

    /** How the run ended. {@code exitCode} follows the CLI's exit codes. */
    record RunSummary(String runId, int exitCode, String outcome, long millis, List<HostResult> results) {
    }
}

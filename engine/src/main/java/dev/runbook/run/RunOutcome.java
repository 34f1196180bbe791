package dev.runbook.run;

import java.nio.file.Path;

/**
 * How a run ended: its id, the process exit code it stands for ({@link dev.runbook.error.ExitCode}),
 * a one-word outcome (OK, FAILED, ABORTED ...), and its journal's directory.
 */
public record RunOutcome(String runId, int exitCode, String outcome, Path journal) {
    /** True when the run can be continued with {@code runbook resume} (a step failed, or it was aborted). */
    public boolean resumable() {
        return exitCode == dev.runbook.error.ExitCode.STEP_FAILED.code || exitCode == dev.runbook.error.ExitCode.ABORTED.code;
    }
}

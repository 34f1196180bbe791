package dev.runbook.error;

/** The process exit codes of the CLI, mapped in this one place and documented in the README. */
public enum ExitCode {
    OK(0), STEP_FAILED(1), INVALID_INPUT(2), ABORTED(3), INTERNAL(4), LOCKED(5);

    public final int code;

    ExitCode(int code) {
        this.code = code;
    }
}

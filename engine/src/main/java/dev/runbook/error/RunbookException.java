package dev.runbook.error;

import dev.runbook.model.SourceLocation;

/**
 * The one user-facing error type: a message, where it comes from (file:line:col or a host), a hint
 * on what to do, and the exit code it maps to. The CLI prints these without a stack trace.
 */
public class RunbookException extends RuntimeException {
    private final SourceLocation location;
    private final String hint;
    private final ExitCode exitCode;

    public RunbookException(ExitCode exitCode, SourceLocation location, String message, String hint) {
        super(message);
        this.exitCode = exitCode;
        this.location = location;
        this.hint = hint;
    }

    public RunbookException(ExitCode exitCode, SourceLocation location, String message, String hint, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
        this.location = location;
        this.hint = hint;
    }

    /** Invalid runbook, inventory or argument at a known place. */
    public static RunbookException invalid(SourceLocation at, String message, String hint) {
        return new RunbookException(ExitCode.INVALID_INPUT, at, message, hint);
    }

    public SourceLocation location() {
        return location;
    }

    public String hint() {
        return hint;
    }

    public ExitCode exitCode() {
        return exitCode;
    }

    /** The message with its location prefix, as printed on one line. */
    public String describe() {
        return (location != null ? location + ": " : "") + getMessage();
    }
}

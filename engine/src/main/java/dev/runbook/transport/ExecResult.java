package dev.runbook.transport;

/**
 * What a command did: its exit code (-1 when it was killed), the kept tails of stdout and stderr,
 * how many bytes each stream produced in total, and whether it was killed by timeout or cancel.
 */
public record ExecResult(int exitCode, String stdout, String stderr, long stdoutBytes, long stderrBytes, long millis,
                         boolean timedOut, boolean cancelled) {
    public boolean ok() {
        return exitCode == 0 && !timedOut && !cancelled;
    }
}

package dev.runbook.transport;

import dev.runbook.error.ExitCode;
import dev.runbook.error.RunbookException;

/** A host could not be reached or refused us (connection, authentication, host key, SFTP). */
public class TransportException extends RunbookException {
    private final String host;

    public TransportException(String host, String message, String hint, Throwable cause) {
        super(ExitCode.STEP_FAILED, null, host + ": " + message, hint, cause);
        this.host = host;
    }

    public String host() {
        return host;
    }
}

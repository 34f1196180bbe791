package dev.runbook.cli;

import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** Options of commands that execute (apply, resume). */
final class ExecArgs {
    enum Output { text, json }

    @Option(names = "--yes", description = "answer confirm gates in advance")
    boolean yes;

    @Option(names = "--ticket", paramLabel = "ID", description = "change ticket id, recorded in the journal")
    String ticket;

    @Option(names = "--forks", defaultValue = "20", description = "at most this many hosts at once (default: ${DEFAULT-VALUE})")
    int forks;

    @Option(names = "--output", defaultValue = "text", description = "text or json lines (default: ${DEFAULT-VALUE})")
    Output output;

    @Option(names = "--accept-new-host-keys", description = "trust and record host keys not yet in known_hosts (a CHANGED key is always refused)")
    boolean acceptNewHostKeys;

    @Option(names = "--connect-timeout", defaultValue = "10", paramLabel = "SECONDS", description = "SSH connect timeout (default: ${DEFAULT-VALUE})")
    int connectTimeoutSeconds;

    @Option(names = {"-K", "--ask-become-pass"}, description = "ask for the sudo password of hosts with become whose inventory gives none"
            + " (without a terminal: the first line of stdin); RUNBOOK_BECOME_PASSWORD gives it too")
    boolean askBecomePass;

    @Option(names = "--ask-key-pass", description = "ask for the passphrase of encrypted key files; RUNBOOK_KEY_PASSPHRASE gives it too")
    boolean askKeyPass;

    @Option(names = {"-v", "--verbose"}, description = "show every command's output, not only failures'")
    boolean verbose;

    @Option(names = "--debug", description = "stack traces on errors")
    boolean debug;

    @Option(names = "--drill", hidden = true, paramLabel = "DRILL:PHASE", description = "set by runbook drill: the drill phase this run is")
    String drill;

    /** The run's sudo password: asked for (-K), else RUNBOOK_BECOME_PASSWORD, else null. Never recorded. */
    char[] becomePassword() {
        if (askBecomePass) {
            return Secrets.ask("BECOME password (sudo): ");
        }
        String env = System.getenv("RUNBOOK_BECOME_PASSWORD");
        return env == null ? null : env.toCharArray();
    }

    /** Sets the key files' passphrase for this run when asked for (--ask-key-pass); RUNBOOK_KEY_PASSPHRASE is read where keys load. */
    void applyKeyPassphrase() {
        if (askKeyPass) {
            dev.runbook.transport.ssh.SshTransport.keyPassphrase(Secrets.ask("SSH key passphrase: "));
        }
    }

    /** The arguments as recorded in the journal (resume replays limit and forks; a drill finds its runs by --drill). */
    List<String> describeArgs(RunArgs a) {
        List<String> out = new ArrayList<>();
        if (a.limit != null) {
            out.add("--limit=" + a.limit);
        }
        out.add("--forks=" + forks);
        if (yes) {
            out.add("--yes");
        }
        if (drill != null) {
            out.add("--drill=" + drill);
        }
        return out;
    }
}

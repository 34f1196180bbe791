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

    @Option(names = {"-v", "--verbose"}, description = "show every command's output, not only failures'")
    boolean verbose;

    @Option(names = "--debug", description = "stack traces on errors")
    boolean debug;

    @Option(names = "--drill", hidden = true, paramLabel = "DRILL:PHASE", description = "set by runbook drill: the drill phase this run is")
    String drill;

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

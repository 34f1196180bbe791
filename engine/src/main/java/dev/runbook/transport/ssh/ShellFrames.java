package dev.runbook.transport.ssh;

import dev.runbook.template.ShellQuote;
import java.util.regex.Pattern;

/** The remote shell's frames, engine to shell: how a script travels and how the shell runs it. */
final class ShellFrames {
    private static final Pattern OWN_SHELL_WORDS = Pattern.compile("\\b(trap|exec|kill)\\b");

    private ShellFrames() {
    }

    /**
     * How the shell runs a script: R in a forked subshell (one fork; its EXIT trap reports), W with
     * a waiter process that reports (a second fork) when the script may replace that trap, exec or
     * kill its own shell, X in a fresh bash when it reads {@code $$} (the shell's pid in a subshell).
     */
    static char mode(String command) {
        if (command.contains("$$")) {
            return 'X';
        }
        return OWN_SHELL_WORDS.matcher(command).find() ? 'W' : 'R';
    }

    /**
     * A frame carrying a script (R, W, X, I, L): a header line with the length of the line that
     * follows, the script ANSI-C quoted on that one line of ASCII (so its length in bytes is its
     * length in characters, whatever the host's locale), newline included. Sent in one write.
     */
    static String frame(char op, long id, String script) {
        String line = ShellQuote.ansiC(script) + "\n";
        return op + " " + id + " " + line.length() + "\n" + line;
    }
}

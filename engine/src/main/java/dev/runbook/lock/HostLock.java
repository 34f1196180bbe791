package dev.runbook.lock;

import dev.runbook.template.ShellQuote;
import dev.runbook.transport.ExecOptions;
import dev.runbook.transport.ExecResult;
import dev.runbook.transport.Transport;
import dev.runbook.transport.TransportException;
import java.time.Duration;

/**
 * The run lock on one host: a small file naming the run that holds it, created atomically (the
 * shell's noclobber, an O_EXCL open) so two engines cannot both get it. It lives on the host, not
 * on the control machine, so it survives the engine or its machine dying; only its owner's release,
 * a resume of the same run, or an explicit {@code runbook unlock} removes it.
 */
public final class HostLock {
    /** Where the lock lives unless the host sets {@code runbook_lock}: persistent, so a host reboot keeps it. */
    public static final String DEFAULT_PATH = "/var/lib/runbook/lock";
    private static final ExecOptions QUICK = ExecOptions.of(Duration.ofSeconds(30));

    private HostLock() {
    }

    /** What {@link #tryAcquire} found: acquired, or the current holder (raw text kept for a compare-and-swap). */
    public record Attempt(boolean acquired, Holder holder, String raw) {
    }

    /** Creates the lock file if no one holds it; otherwise reports who does. Never overwrites. */
    public static Attempt tryAcquire(Transport t, String path, Holder me) {
        String f = ShellQuote.quote(path);
        int slash = path.lastIndexOf('/');
        String dir = ShellQuote.quote(slash > 0 ? path.substring(0, slash) : slash == 0 ? "/" : ".");
        String raw = "";
        for (int attempt = 0; attempt < 5; attempt++) {
            // silent when acquired: empty output costs no read-back round trip (RemoteShell), which
            // matters on a 100-host run where this is every host's first command; builtins only
            // (mkdir when the directory is missing, cat when held), no exit, noclobber restored:
            // the host's shell runs it without a fork
            ExecResult r = execBuiltins(t, "if [ -d " + dir + " ] || mkdir -p " + dir + "; then\n"
                    + "set -C; if { printf '%s\\n' " + ShellQuote.quote(me.json()) + " > " + f + "; } 2>/dev/null; then :; else\n"
                    + "if [ -e " + f + " ]; then printf 'HELD\\n'; cat " + f + " 2>/dev/null || true\n"
                    // not there and not creatable: the lock's directory is not writable by whoever commands run as
                    + "else printf '%s\\n' " + ShellQuote.quote("cannot create " + path + " (not writable as this user?)") + " >&2; __rb_lk=1; fi; fi; set +C\n"
                    + "if [ -n \"${__rb_lk:-}\" ]; then unset __rb_lk; false; fi\n"
                    + "else false; fi");
            if (r.stdout().isEmpty()) {
                return new Attempt(true, me, null);
            }
            raw = r.stdout().startsWith("HELD\n") ? r.stdout().substring(5) : r.stdout();
            if (!raw.isBlank()) {
                return new Attempt(false, Holder.parse(raw), raw);
            }
            // released between our two commands, or its writer is between create and write: look again
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        // an empty lock file that stays empty (its engine died between creating and writing it)
        return new Attempt(false, new Holder("?", "?", "?", "?", -1, "(an empty lock file: " + path + ")"), raw);
    }

    /** Replaces the lock only if it still holds exactly {@code expectedRaw} (a resume taking over its own run's lock). */
    public static boolean takeOver(Transport t, String path, String expectedRaw, Holder me) {
        String f = ShellQuote.quote(path);
        ExecResult r = exec(t, "cur=$(cat " + f + " 2>/dev/null || true)\n"
                + "[ \"$cur\" = " + ShellQuote.quote(expectedRaw.stripTrailing()) + " ] || { echo CHANGED; exit 0; }\n"
                + "printf '%s\\n' " + ShellQuote.quote(me.json()) + " > " + f + ".new && mv -f " + f + ".new " + f + " && echo TAKEN");
        return r.stdout().startsWith("TAKEN");
    }

    /** Removes the lock if {@code run} holds it; a lock someone else took meanwhile is left alone. */
    public static void release(Transport t, String path, String run) {
        if (!releaseAtExit(t, path, run)) {
            releaseNow(t, path, run);
        }
    }

    /**
     * Where the host's shell can do it as it exits (one rm with its temp dir): registers the release
     * and returns true at once, no command, fork or round trip; false where a command must do it.
     */
    public static boolean releaseAtExit(Transport t, String path, String run) {
        return dev.runbook.transport.Shortcuts.removeOnClose(t, path, owner(run));
    }

    /** Removes the lock now, by a command, if {@code run} still holds it. */
    public static void releaseNow(Transport t, String path, String run) {
        String f = ShellQuote.quote(path);
        // no grep: one exec (rm) instead of two, on every host at the end of every run
        exec(t, "l=; { read -r l < " + f + "; } 2>/dev/null || true\n"
                + "case $l in *" + ShellQuote.quote(owner(run)) + "*) rm -f " + f + " ;; esac");
    }

    /** What a lock file held by {@code run} contains (its JSON's run field). */
    private static String owner(String run) {
        return "\"run\":\"" + run + "\"";
    }

    /** The current holder, or null when the host is not locked. */
    public static Holder read(Transport t, String path) {
        ExecResult r = exec(t, "cat " + ShellQuote.quote(path) + " 2>/dev/null || true");
        return r.stdout().isBlank() ? null : Holder.parse(r.stdout());
    }

    /** Removes the lock whoever holds it (an operator's explicit decision); returns the holder it removed, or null. */
    public static Holder breakLock(Transport t, String path) {
        Holder h = read(t, path);
        if (h != null) {
            exec(t, "rm -f " + ShellQuote.quote(path));
        }
        return h;
    }

    private static ExecResult exec(Transport t, String script) {
        return checked(t, t.exec(script, QUICK));
    }

    private static ExecResult execBuiltins(Transport t, String script) {
        return checked(t, dev.runbook.transport.Shortcuts.execBuiltins(t, script, QUICK));
    }

    private static ExecResult checked(Transport t, ExecResult r) {
        if (r.exitCode() != 0) {
            throw new TransportException(t.describe(), "cannot use the run lock file: " + r.stderr().strip(),
                    "the run lock needs a writable directory on the host; set the host variable runbook_lock to another path", null);
        }
        return r;
    }

    /** This machine's name, as recorded in the locks it takes. */
    public static String thisMachine() {
        try {
            return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/sys/kernel/hostname")).strip();
        } catch (java.io.IOException | RuntimeException e) {
            String h = System.getenv("HOSTNAME");
            return h != null ? h : "unknown";
        }
    }
}

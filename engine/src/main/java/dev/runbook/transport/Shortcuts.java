package dev.runbook.transport;

/**
 * A {@link Transport} that can do some things faster than its portable contract; each default here
 * is the portable way. Optional: callers go through the static methods, which take any transport,
 * so an implementation without shortcuts (a test double, a future transport) stays correct.
 */
public interface Shortcuts extends Transport {
    /**
     * Runs an engine-owned {@code script} that uses only shell builtins (external commands only on
     * rare paths) and never exits, execs, traps, kills or reads {@code $$}, leaving any shell option
     * it sets as it found it, possibly inside the transport's long-lived shell's own process, with
     * no fork: on a 100-host run the lock's take is then 100 processes fewer on the hosts. Same
     * result as {@link Transport#exec}.
     */
    default ExecResult execBuiltins(String script, ExecOptions options) {
        return exec(script, options);
    }

    /**
     * Finishes an upload without a command: gives {@code temp} the permission bits {@code mode}
     * (null: those of the existing {@code dest}, if any) and the existing {@code dest}'s owner and
     * group (none when {@code dest} does not exist), in that order, as {@code chmod --reference} then
     * {@code chown --reference} would, then renames it over {@code dest} in one atomic rename (same
     * directory). Returns false, having done nothing, when it cannot here (the caller then uses
     * chmod, chown and mv); throws {@link TransportException} when it tried and failed (a directory
     * at {@code dest}, no permission), leaving {@code temp} for the caller to remove.
     */
    default boolean moveInto(String temp, String dest, Integer mode) {
        return false;
    }

    /**
     * A hint from the plan: about this many commands will run on this host. The transport may spend
     * set-up time now (while other hosts connect) to make each of them cheaper.
     */
    default void expectCommands(int count) {
    }

    /**
     * Asks for {@code path} to be removed on the host when the transport closes, if the file's first
     * line then still contains {@code ifContains} (checked on the host at that moment). True when it
     * will be (nothing confirms it later); false when the caller must remove it now.
     */
    default boolean removeOnClose(String path, String ifContains) {
        return false;
    }

    /** {@link #execBuiltins} where {@code t} offers it, else {@link Transport#exec}. */
    static ExecResult execBuiltins(Transport t, String script, ExecOptions options) {
        return t instanceof Shortcuts s ? s.execBuiltins(script, options) : t.exec(script, options);
    }

    /** {@link #moveInto} where {@code t} offers it, else false (the caller moves it with commands). */
    static boolean moveInto(Transport t, String temp, String dest, Integer mode) {
        return t instanceof Shortcuts s && s.moveInto(temp, dest, mode);
    }

    /** {@link #expectCommands} where {@code t} offers it. */
    static void expectCommands(Transport t, int count) {
        if (t instanceof Shortcuts s) {
            s.expectCommands(count);
        }
    }

    /** {@link #removeOnClose} where {@code t} offers it, else false (the caller removes it now). */
    static boolean removeOnClose(Transport t, String path, String ifContains) {
        return t instanceof Shortcuts s && s.removeOnClose(path, ifContains);
    }
}

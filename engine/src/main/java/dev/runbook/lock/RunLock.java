package dev.runbook.lock;

import dev.runbook.error.ExitCode;
import dev.runbook.error.RunbookException;
import dev.runbook.inventory.Host;
import dev.runbook.transport.Connections;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * The run lock over every host a run touches: taken on all of them before the first step, or on
 * none (a refused run leaves no lock behind). Two runs against the same cluster cannot overlap;
 * the second is refused with who holds the lock since when.
 */
public final class RunLock implements AutoCloseable {
    /** Commands the lock runs on each host of a run that succeeds in taking it: take and release. */
    public static final int COMMANDS_PER_HOST = 2;
    private final Connections connections;
    private final String run;
    private final Map<Host, String> held;
    private final int parallel;

    private RunLock(Connections connections, String run, Map<Host, String> held, int parallel) {
        this.connections = connections;
        this.run = run;
        this.held = held;
        this.parallel = Math.max(1, parallel);
    }

    /** The lock file path on a host: its {@code runbook_lock} variable, or {@link HostLock#DEFAULT_PATH}. */
    public static String pathOn(Host h) {
        Object p = h.vars().get("runbook_lock");
        return p == null || String.valueOf(p).isBlank() ? HostLock.DEFAULT_PATH : String.valueOf(p);
    }

    /**
     * Takes the lock on every host, in parallel.
     *
     * @param takeOver a run whose locks this run inherits (the run being resumed), or null
     * @param finished tells whether a run is known to have ended (its journal here has run_end):
     *                 a lock such a run left behind (its release never reached the host) is taken over
     * @throws RunbookException exit 5 naming every host held by another run; nothing stays locked
     */
    public static RunLock acquire(Connections connections, List<Host> hosts, Holder me, String takeOver, Predicate<String> finished,
                                  Consumer<String> say, int parallel) {
        Map<Host, String> held = new LinkedHashMap<>();
        List<String> refused = new ArrayList<>();
        List<RuntimeException> errors = new ArrayList<>();
        boolean deadEngine = false;
        String thisMachine = HostLock.thisMachine();
        ExecutorService pool = connections.hostThreads(parallel);
        List<CompletableFuture<Object>> all = new ArrayList<>();
        for (Host h : hosts) {
            all.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return take(connections, h, me, takeOver, finished, say);
                } catch (RuntimeException e) {
                    return e;
                }
            }, pool));
        }
        for (int i = 0; i < hosts.size(); i++) {
            Object r = all.get(i).join();
            Host h = hosts.get(i);
            if (r instanceof Holder other) {
                refused.add(h.name() + ": locked by " + other.describe());
                deadEngine |= other.deadHere(thisMachine);
            } else if (r instanceof RuntimeException e) {
                errors.add(e);
            } else {
                held.put(h, pathOn(h));
            }
        }
        RunLock lock = new RunLock(connections, me.run(), held, parallel);
        if (!refused.isEmpty() || !errors.isEmpty()) {
            lock.close();
            if (!errors.isEmpty()) {
                throw errors.get(0);
            }
            String hint = deadEngine
                    ? "the engine that took it is no longer running on this machine (killed?): continue its run with `runbook resume RUN_ID`, "
                            + "or, once you know the cluster's state, break the lock with `runbook unlock -i INVENTORY`"
                    : "wait for that run to finish; if its engine is gone for good (its machine died), check the cluster's state with "
                            + "its operator, then break the lock with `runbook unlock -i INVENTORY`";
            throw new RunbookException(ExitCode.LOCKED, null, "another run holds the lock on " + refused.size() + " of " + hosts.size()
                    + " hosts; nothing was run:\n  " + String.join("\n  ", refused), hint);
        }
        return lock;
    }

    /** One host: null (taken) or the other holder. */
    private static Holder take(Connections connections, Host h, Holder me, String takeOver, Predicate<String> finished, Consumer<String> say) {
        var t = connections.get(h);
        String path = pathOn(h);
        for (int attempt = 0; attempt < 3; attempt++) {
            HostLock.Attempt a = HostLock.tryAcquire(t, path, me);
            if (a.acquired()) {
                return null;
            }
            Holder other = a.holder();
            boolean ours = other.run().equals(me.run());
            String why = other.run().equals(takeOver) ? "this run resumes it"
                    : finished.test(other.run()) ? "that run has ended; its release did not reach the host" : null;
            if (!ours && why == null) {
                return other;
            }
            if (HostLock.takeOver(t, path, a.raw(), me)) {
                if (!ours) {
                    say.accept(h.name() + ": took over the run lock of run " + other.run() + " (" + why + ")");
                }
                return null;
            }
            // the lock changed between reading and replacing it: look again
        }
        return HostLock.read(t, path);
    }

    /** The hosts this lock holds. */
    public List<Host> hosts() {
        return List.copyOf(held.keySet());
    }

    /** Releases every host's lock this run still holds; a host that cannot be reached keeps it (the next run takes it over). */
    @Override
    public void close() {
        if (held.isEmpty()) {
            return;
        }
        // hosts whose shell releases the lock as it exits cost one frame each, sent from here; the rest
        // run a command, every host at once (a parallel stream would run 2 at a time on 2 cores)
        Map<Host, String> commands = new LinkedHashMap<>();
        held.forEach((h, path) -> {
            try {
                if (!HostLock.releaseAtExit(connections.get(h), path, run)) {
                    commands.put(h, path);
                }
            } catch (RuntimeException e) {
                commands.put(h, path);
            }
        });
        if (commands.isEmpty()) {
            held.clear();
            return;
        }
        // a pool of its own, not the run's host threads: one of those may still be busy with a task
        // the run gave up on, which only the connections' close (after this) ends. Rare: most
        // hosts release through their shell above
        ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(Math.min(parallel, commands.size()));
        try {
            CompletableFuture.allOf(commands.entrySet().stream().map(e -> CompletableFuture.runAsync(() -> {
                try {
                    HostLock.releaseNow(connections.get(e.getKey()), e.getValue(), run);
                } catch (RuntimeException ignored) {
                    // the host is gone; its lock names a run whose journal says it ended, so the next run takes it over
                }
            }, pool)).toArray(CompletableFuture[]::new)).join();
        } finally {
            pool.shutdown();
        }
        held.clear();
    }
}

package dev.runbook.transport;

import dev.runbook.inventory.Host;
import dev.runbook.memo.Memo;
import dev.runbook.transport.ssh.JumpHosts;
import dev.runbook.transport.ssh.SshTransport;
import dev.runbook.transport.ssh.TargetResolver;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The run's connections: at most ONE transport per host for the whole run, opened on first use
 * or all at once (in parallel) by {@link #openAll}, closed together at the end.
 */
public final class Connections implements AutoCloseable {
    /** Opens a transport for a host; replaceable in tests with a fake. */
    @FunctionalInterface
    public interface Opener {
        Transport open(Host host);
    }

    private final Opener opener;
    private final Memo<String, Transport> open = new Memo<>();
    private java.util.concurrent.ThreadPoolExecutor hostThreads;

    public Connections(Opener opener) {
        this.opener = opener;
    }

    /** The default opener: local transport for {@code connection: local}, sshj otherwise (see {@link #standard(boolean, int, char[])}). */
    public static Opener standard(boolean acceptNewHostKeys, int connectTimeoutMillis) {
        return standard(acceptNewHostKeys, connectTimeoutMillis, null);
    }

    /**
     * The default opener, with the run's sudo password (null: none given) for hosts with
     * {@code become} whose inventory gives none. It keeps the run's jump-host connections, closed
     * with the run's other connections.
     */
    public static Opener standard(boolean acceptNewHostKeys, int connectTimeoutMillis, char[] becomePassword) {
        JumpHosts jumps = new JumpHosts(acceptNewHostKeys, connectTimeoutMillis);
        return new ClosingOpener() {
            @Override
            public Transport open(Host host) {
                if (host.local()) {
                    return new LocalTransport(host.name());
                }
                return SshTransport.connect(TargetResolver.resolve(host, becomePassword), acceptNewHostKeys, connectTimeoutMillis, jumps);
            }

            @Override
            public void close() {
                jumps.close();
            }
        };
    }

    /** An opener holding connections of its own (jump hosts), closed after every host's. */
    public interface ClosingOpener extends Opener, AutoCloseable {
        @Override
        void close();
    }

    /** The host's transport, connecting on first use; a failed connect is re-thrown on every use. */
    public Transport get(Host host) {
        return open.get(host.name(), k -> opener.open(host));
    }

    /**
     * The run's threads for per-host work (connecting, the run lock, the steps), at most
     * {@code parallel} of them (the first call decides), kept for the whole run and ended by
     * {@link #close}. One pool, not one per phase: a thread started under load costs 1.5-2.5 ms on
     * a 2-core machine, and a 100-host run started 100 of them again for its lock and again for its
     * first step, one after another on the main thread (~0.2 s each time). Tasks on it must not wait
     * for other tasks on it.
     */
    public synchronized ExecutorService hostThreads(int parallel) {
        if (hostThreads == null) {
            int n = Math.max(1, parallel);
            java.util.concurrent.atomic.AtomicInteger count = new java.util.concurrent.atomic.AtomicInteger();
            hostThreads = new java.util.concurrent.ThreadPoolExecutor(n, n, 0, java.util.concurrent.TimeUnit.MILLISECONDS,
                    new java.util.concurrent.LinkedBlockingQueue<>(), r -> {
                        Thread t = new Thread(r, "runbook-host-" + count.incrementAndGet());
                        t.setDaemon(true);
                        return t;
                    });
        }
        return hostThreads;
    }

    /** Connects to all hosts in parallel; returns the failures (empty when every host answered). */
    public List<RuntimeException> openAll(Collection<Host> hosts, int parallel) {
        return openAll(hosts, parallel, h -> 0);
    }

    /** As {@link #openAll(Collection, int)}, passing each host's expected command count to its transport. */
    public List<RuntimeException> openAll(Collection<Host> hosts, int parallel, java.util.function.ToIntFunction<Host> expected) {
        ExecutorService pool = hostThreads(parallel);
        List<CompletableFuture<RuntimeException>> all = new ArrayList<>();
        for (Host h : hosts) {
            all.add(CompletableFuture.supplyAsync(() -> {
                try {
                    Shortcuts.expectCommands(get(h), expected.applyAsInt(h));
                    return null;
                } catch (RuntimeException e) {
                    return e;
                }
            }, pool));
        }
        return all.stream().map(CompletableFuture::join).filter(java.util.Objects::nonNull).toList();
    }

    /** Closes every connection, many at once: a 100-host run must not end one host at a time. */
    @Override
    public void close() {
        List<Transport> live = open.made();
        open.clear();
        java.util.concurrent.ThreadPoolExecutor shared;
        synchronized (this) {
            shared = hostThreads;
            hostThreads = null;
        }
        // the run's host threads if they are all idle (the steps and the lock are done); if one is
        // still busy (a task the run gave up on, e.g. a command on a host that stopped answering),
        // they are interrupted and a pool of its own closes the connections: the close is what
        // ends such a task, so it must never queue behind it
        boolean idle = shared != null && shared.getActiveCount() == 0 && shared.getQueue().isEmpty();
        if (shared != null && (!idle || live.isEmpty())) {
            shared.shutdownNow();
        }
        if (live.isEmpty()) {
            closeOpener();
            return;
        }
        ExecutorService pool = idle ? shared : Executors.newFixedThreadPool(Math.min(32, live.size()), r -> {
            Thread t = new Thread(r, "close");
            t.setDaemon(true);
            return t;
        });
        try {
            CompletableFuture.allOf(live.stream().map(t -> CompletableFuture.runAsync(t::close, pool)).toArray(CompletableFuture[]::new)).join();
        } finally {
            pool.shutdownNow();
            closeOpener();
        }
    }

    private void closeOpener() {
        if (opener instanceof ClosingOpener c) {
            c.close();
        }
    }
}

package dev.runbook.action.etcd;

import dev.runbook.action.StepContext;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.ClientBuilder;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The run's etcd connections: a jetcd client per cluster (all endpoints, balanced) and per single
 * endpoint (a snapshot must stream from ONE chosen member), and the per-member channels for
 * status, HashKV, defragment and health ({@link MemberChannels}); opened on first use, closed
 * with the run.
 * Every call goes through {@link #call}, which enforces a deadline and explains a timeout.
 */
public final class EtcdClients implements AutoCloseable {
    /**
     * gRPC logs through java.util.logging; the console belongs to the operator. Set here, where
     * every jetcd client and channel is made, not in {@code main}'s static set-up: initialising
     * JUL's LogManager (configuration, a service lookup through the whole class path) there cost
     * every command ~50 ms on the main thread before anything else. snakeyaml initialises JUL too,
     * which {@code Main} now starts on its prewarm thread for the commands that parse YAML.
     * Held strongly: JUL forgets the level of a logger nobody references.
     */
    private static final java.util.logging.Logger GRPC_LOG = quiet("io.grpc");
    private static final java.util.logging.Logger NETTY_LOG = quiet("io.netty");

    private static java.util.logging.Logger quiet(String name) {
        java.util.logging.Logger l = java.util.logging.Logger.getLogger(name);
        l.setLevel(java.util.logging.Level.WARNING);
        return l;
    }

    private static final java.util.concurrent.atomic.AtomicBoolean WARM = new java.util.concurrent.atomic.AtomicBoolean();
    private final Map<String, Client> clients = new ConcurrentHashMap<>();
    private final MemberChannels channels = new MemberChannels();
    /**
     * Each jetcd client's own event loops (jetcd closes them with the client, so they cannot be
     * shared), awaited when the run ends: left to gRPC's shared event loop they linger in
     * epoll_wait after their client closes, and the JVM's exit waits ~300 ms for any thread inside
     * a native call.
     */
    private final java.util.Queue<io.vertx.core.Vertx> loops = new java.util.concurrent.ConcurrentLinkedQueue<>();
    private final java.util.concurrent.atomic.AtomicInteger activeSteps = new java.util.concurrent.atomic.AtomicInteger();

    /**
     * Once per process, at run start: one read-only status call to every endpoint, so that the
     * classes and the TLS code are loaded and compiled before a step waits on them (the leader
     * lookup just before a restore stops anything paid ~0.8 s for it). The channels close when it
     * ends, unless a step is using them by then. A member that is down still loaded the code paths.
     */
    static void warmUp(EtcdClients clients, EtcdTarget t) {
        if (!WARM.compareAndSet(false, true)) {
            return;
        }
        clients.beginStep();
        long t0 = System.nanoTime();
        try {
            Map<String, CompletableFuture<io.etcd.jetcd.maintenance.StatusResponse>> asked = new java.util.LinkedHashMap<>();
            for (String ep : t.endpoints()) {
                asked.put(ep, clients.status(t, ep));
            }
            asked.forEach((ep, f) -> {
                try {
                    f.get(Math.min(3000, t.callTimeout().toMillis()), TimeUnit.MILLISECONDS);
                } catch (ExecutionException | TimeoutException e) {
                    f.cancel(true);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        } finally {
            clients.endStep();
            if (System.getenv("RUNBOOK_TRACE") != null) {
                System.err.printf("trace-etcd warm-up %d endpoints %.0fms%n", t.endpoints().size(), (System.nanoTime() - t0) / 1e6);
            }
        }
    }

    /** An etcd step (or the warm-up) starts using the per-member channels. */
    void beginStep() {
        activeSteps.incrementAndGet();
    }

    /** An etcd step ended: with none left running, the per-member channels close (see {@link MemberChannels}). */
    void endStep() {
        if (activeSteps.decrementAndGet() == 0) {
            channels.closeAll();
        }
    }

    /** Status of one member, over the run's kept channel to it (see {@link MemberChannels}). */
    public CompletableFuture<io.etcd.jetcd.maintenance.StatusResponse> status(EtcdTarget t, String endpoint) {
        return channels.status(t, endpoint);
    }

    /** KV hash of one member at {@code revision} (0: its latest), over the run's kept channel to it. */
    public CompletableFuture<io.etcd.jetcd.maintenance.HashKVResponse> hashKV(EtcdTarget t, String endpoint, long revision) {
        return channels.hashKV(t, endpoint, revision);
    }

    /** A linearizable read on one member (the health probe), over the run's kept channel to it. */
    public CompletableFuture<Long> linearizableRead(EtcdTarget t, String endpoint, String key) {
        return channels.linearizableRead(t, endpoint, key);
    }

    /** Defragments one member, over the run's kept channel to it. */
    public CompletableFuture<io.etcd.jetcd.maintenance.DefragmentResponse> defragment(EtcdTarget t, String endpoint) {
        return channels.defragment(t, endpoint);
    }

    /**
     * For the launcher's class-data archive ({@code runbook warmup}): runs the code paths of a first
     * member status call and a first cluster call, TLS set-up included, against a local port where
     * nothing listens. Touches no host.
     */
    public static void exerciseOffline() {
        String ep = "https://127.0.0.1:1";
        EtcdTarget t = new EtcdTarget(List.of(ep), null, null, null, java.time.Duration.ofMillis(500));
        try (EtcdClients c = new EtcdClients()) {
            try {
                call(c.status(t, ep), ep, "status", 1000);
            } catch (EtcdException e) {
                // expected: refused
            }
            try {
                call(c.cluster(t).getClusterClient().listMember(), ep, "member list", 1000);
            } catch (EtcdException e) {
                // expected: refused
            }
        }
    }

    /** The run's clients for this context (a run resource, closed when the run ends). */
    public static EtcdClients of(StepContext ctx) {
        return ctx.resources().get("etcd-clients", EtcdClients::new);
    }

    public Client cluster(EtcdTarget t) {
        return client(t, t.endpoints());
    }

    public Client member(EtcdTarget t, String endpoint) {
        return client(t, List.of(endpoint));
    }

    /**
     * Closes and forgets the one-endpoint client of a member that just failed a probe: its gRPC
     * channel would wait out a reconnect backoff (1 s, then longer) after the member comes up,
     * while a new client connects at once.
     */
    public void discard(EtcdTarget t, String endpoint) {
        Client c = clients.remove(key(t, List.of(endpoint)));
        if (c != null) {
            c.close();
        }
        channels.discard(t, endpoint);
    }

    private static String key(EtcdTarget t, List<String> endpoints) {
        return endpoints + "|" + t.tlsKey();
    }

    private Client client(EtcdTarget t, List<String> endpoints) {
        return clients.computeIfAbsent(key(t, endpoints), k -> build(t, endpoints));
    }

    private io.vertx.core.Vertx newLoops() {
        io.vertx.core.Vertx v = io.vertx.core.Vertx.vertx(new io.vertx.core.VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(2)
                .setInternalBlockingPoolSize(2));
        loops.add(v);
        return v;
    }

    private Client build(EtcdTarget t, List<String> endpoints) {
        ClientBuilder b = Client.builder().endpoints(endpoints.toArray(String[]::new)).vertx(newLoops())
                .connectTimeout(t.callTimeout()).retryMaxDuration(t.callTimeout()).keepaliveWithoutCalls(false);
        if (t.ca() != null || endpoints.stream().anyMatch(e -> e.startsWith("https:"))) {
            b.sslContext(channels.sslContext(t));
        }
        return b.build();
    }

    /**
     * Waits for a jetcd call with a deadline. A timeout names the endpoint(s) and the usual causes;
     * an error is unwrapped to etcd's own message.
     */
    public static <T> T call(CompletableFuture<T> future, String endpoints, String what, long timeoutMillis) {
        try {
            return future.get(timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            future.cancel(true);
            throw new EtcdException(what + ": " + endpoints + " did not answer within " + timeoutMillis + "ms",
                    "usual causes: the member is down or partitioned, it has no quorum (a lone restored member answers nothing), "
                            + "or TLS is misconfigured (etcd reports a missing or wrong client certificate as 'context deadline exceeded')");
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            while (c.getCause() != null && c.getMessage() != null && c.getMessage().equals(c.getCause().toString())) {
                c = c.getCause();
            }
            throw new EtcdException(what + " on " + endpoints + " failed: " + message(c), null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EtcdException(what + ": interrupted", null);
        }
    }

    static String message(Throwable t) {
        String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        Throwable c = t.getCause();
        if (c != null && c.getMessage() != null && !m.contains(c.getMessage())) {
            m += " (" + c.getMessage() + ")";
        }
        return m;
    }

    @Override
    public void close() {
        clients.values().forEach(Client::close);
        clients.clear();
        channels.close();
        for (io.vertx.core.Vertx v; (v = loops.poll()) != null; ) {
            try {
                v.close().toCompletionStage().toCompletableFuture().get(1, TimeUnit.SECONDS);
            } catch (ExecutionException | TimeoutException e) {
                // its threads are daemons: at worst the exit waits for them
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** An etcd call that failed or timed out; the action reports it as a failed step. */
    public static final class EtcdException extends RuntimeException {
        private final String hint;

        public EtcdException(String message, String hint) {
            super(message);
            this.hint = hint;
        }

        public String hint() {
            return hint;
        }

        /** Message plus hint, for an action result. */
        public String full() {
            return getMessage() + (hint == null ? "" : " (" + hint + ")");
        }
    }
}

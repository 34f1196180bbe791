package dev.runbook.action.etcd;

import dev.runbook.action.HostLinks;
import dev.runbook.action.StepContext;
import dev.runbook.memo.Memo;
import io.netty.handler.ssl.SslContext;
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
    private final Map<String, String> resolverTargets = new ConcurrentHashMap<>();
    private final HostLinks links;
    private final Routes routes = new Routes(this::answers);
    private final Memo<String, TlsMaterial> material = new Memo<>();
    private final Map<String, SslContext> grpcTls = new ConcurrentHashMap<>();
    private final Map<String, javax.net.ssl.SSLContext> jdkTls = new ConcurrentHashMap<>();
    private final java.util.Set<String> told = ConcurrentHashMap.newKeySet();
    private final MemberChannels channels = new MemberChannels(this::sslContext, this::route);

    /** The run's clients for actions on this machine only (no tunnel, no TLS read on a member). */
    public EtcdClients() {
        this(HostLinks.NONE);
    }

    /** The run's clients, reaching members' connections (tunnels, TLS files on members) through {@code links}. */
    public EtcdClients(HostLinks links) {
        this.links = links;
    }
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
            dev.runbook.trace.Trace.line("etcd", "warm-up %d endpoints %.0fms", t.endpoints().size(), (System.nanoTime() - t0) / 1e6);
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
        return ctx.resources().get("etcd-clients", () -> new EtcdClients(ctx.resources().links()));
    }

    /** How this run reaches {@code endpoint} (decided on first use; see {@link Routes}). */
    Routes.Route route(EtcdTarget t, String endpoint) {
        return routes.of(t, endpoint, links);
    }

    /**
     * Everything a target needs before its first call, decided and checked now: every endpoint's
     * route (tunnels opened; a member whose host is unreachable is left to fail its own calls) and
     * the TLS material (read, parsed, key matched to certificate). Throws {@link EtcdException}
     * naming the host and file at fault.
     */
    public void prepare(EtcdTarget t) {
        tls(t);
        for (String ep : t.endpoints()) {
            try {
                route(t, ep);
            } catch (EtcdException e) {
                // a member whose host cannot be reached (the one being replaced) fails its own calls, like a member that is down
            }
        }
    }

    /** {@link Routes.Probe}: a TLS handshake with the target's material, the certificate checked for {@code host}. */
    private boolean answers(EtcdTarget t, String host, int port, int millis) {
        try (java.net.Socket s = new java.net.Socket()) {
            s.connect(new java.net.InetSocketAddress(host, port), Math.max(1, millis));
            if (t.tls().kind() == EtcdTarget.Tls.Kind.NONE) {
                return true;
            }
            s.setSoTimeout(Math.max(1, millis));
            try (javax.net.ssl.SSLSocket tls = (javax.net.ssl.SSLSocket) jdkContext(t).getSocketFactory().createSocket(s, host, port, false)) {
                javax.net.ssl.SSLParameters p = tls.getSSLParameters();
                p.setEndpointIdentificationAlgorithm("HTTPS");
                tls.setSSLParameters(p);
                tls.startHandshake();
                return true;
            }
        } catch (java.io.IOException | RuntimeException e) {
            return false;
        }
    }

    /**
     * What this run decided for the target, the first time it is asked (null after): how each
     * member is reached and where the TLS material came from, for the operator and the journal.
     */
    public String firstNote(EtcdTarget t) {
        if (!told.add(t.access() + "|" + t.tlsKey() + "|" + t.endpoints())) {
            return null;
        }
        Map<String, Routes.Route> all = new java.util.LinkedHashMap<>();
        for (String ep : t.endpoints()) {
            try {
                all.put(ep, route(t, ep));
            } catch (EtcdException e) {
                // unreachable: its calls say so
            }
        }
        StringBuilder sb = new StringBuilder("etcd access " + t.access().word() + ": ");
        java.util.Map<String, java.util.List<String>> byWay = new java.util.LinkedHashMap<>();
        all.values().forEach(r -> byWay.computeIfAbsent(r.via() == null ? "direct" : "ssh", k -> new java.util.ArrayList<>())
                .add(r.via() == null ? java.net.URI.create(r.endpoint()).getAuthority() : r.via()));
        java.util.List<String> parts = new java.util.ArrayList<>();
        byWay.forEach((way, who) -> parts.add(way.equals("direct") ? "direct to " + String.join(", ", who)
                : "through the SSH connections of " + String.join(", ", who)));
        sb.append(String.join("; ", parts));
        TlsMaterial m = tls(t);
        if (m != null) {
            sb.append("; TLS from ").append(m.origin());
        }
        return sb.toString();
    }

    /** The target's TLS material, read once per run (null: plain http). */
    TlsMaterial tls(EtcdTarget t) {
        if (t.tls().kind() == EtcdTarget.Tls.Kind.NONE) {
            return null;
        }
        return material.get(t.tlsKey(), k -> load(t));
    }

    private TlsMaterial load(EtcdTarget t) {
        EtcdTarget.Tls s = t.tls();
        if (s.kind() == EtcdTarget.Tls.Kind.MEMBERS) {
            return MemberTls.read(s, MemberTls.owners(t, links), links, java.time.Duration.ofSeconds(30));
        }
        try {
            byte[] ca = java.nio.file.Files.readAllBytes(java.nio.file.Path.of(s.ca()));
            byte[] cert = s.cert() == null ? null : java.nio.file.Files.readAllBytes(java.nio.file.Path.of(s.cert()));
            byte[] key = s.key() == null ? null : java.nio.file.Files.readAllBytes(java.nio.file.Path.of(s.key()));
            return TlsMaterial.parse(ca, s.ca(), cert, s.cert(), key, s.key(),
                    "this machine: CA " + s.ca() + (s.cert() == null ? "" : ", client " + s.cert() + " + " + s.key()));
        } catch (java.io.IOException | IllegalArgumentException e) {
            throw new EtcdException("cannot load TLS files (" + s.ca() + ", " + s.cert() + ", " + s.key() + "): " + e.getMessage(),
                    "etcd_ca must be a PEM CA certificate, etcd_cert/etcd_key a PEM certificate and its private key");
        }
    }

    /** The gRPC TLS context of the target's material, built once per run (shared by channels and clients). */
    SslContext sslContext(EtcdTarget t) {
        TlsMaterial m = tls(t);
        return grpcTls.computeIfAbsent(t.tlsKey(), k -> {
            try {
                return TlsFiles.clientContext(m);
            } catch (java.io.IOException | IllegalArgumentException e) {
                throw new EtcdException("cannot use the TLS material (" + (m == null ? "the JDK's trust store" : m.origin()) + "): " + e.getMessage(), null);
            }
        });
    }

    /** The same material as a JDK context (etcd's /metrics over HTTPS), once per run. */
    javax.net.ssl.SSLContext jdkContext(EtcdTarget t) {
        TlsMaterial m = tls(t);
        return jdkTls.computeIfAbsent(t.tlsKey(), k -> {
            try {
                return TlsFiles.jdkContext(m);
            } catch (java.io.IOException | IllegalArgumentException e) {
                throw new EtcdException("cannot use the TLS material (" + (m == null ? "the JDK's trust store" : m.origin()) + "): " + e.getMessage(), null);
            }
        });
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
        String target = resolverTargets.remove(key(t, List.of(endpoint)));
        if (target != null) {
            RouteResolver.forget(target);
        }
        channels.discard(t, endpoint);
    }

    private static String key(EtcdTarget t, List<String> endpoints) {
        return endpoints + "|" + t.tlsKey() + "|" + t.access();
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

    /**
     * A jetcd client over the endpoints' routes. Direct ones are given to jetcd as they are; a
     * tunnelled one keeps its member's real address as its TLS authority (one endpoint: jetcd's
     * own authority; several: {@link RouteResolver}, an authority per address).
     */
    private Client build(EtcdTarget t, List<String> endpoints) {
        // a member whose host cannot be reached (the dead one a member-replace removes) is left
        // out of a cluster client, as a down member would be skipped by it
        List<Routes.Route> rs = new java.util.ArrayList<>();
        EtcdException first = null;
        for (String ep : endpoints) {
            try {
                rs.add(route(t, ep));
            } catch (EtcdException e) {
                first = first == null ? e : first;
            }
        }
        if (rs.isEmpty()) {
            throw first;
        }
        List<String> reachable = rs.stream().map(Routes.Route::endpoint).toList();
        ClientBuilder b = Client.builder().vertx(newLoops())
                .connectTimeout(t.callTimeout()).retryMaxDuration(t.callTimeout()).keepaliveWithoutCalls(false);
        if (rs.stream().noneMatch(r -> r.via() != null)) {
            b.endpoints(reachable.toArray(String[]::new));
        } else if (rs.size() == 1) {
            b.endpoints(rs.get(0).dialUrl()).authority(rs.get(0).authority());
        } else {
            String target = RouteResolver.target(rs);
            resolverTargets.put(key(t, endpoints), target);
            b.target(target);
        }
        if (t.tls().kind() != EtcdTarget.Tls.Kind.NONE || endpoints.stream().anyMatch(e -> e.startsWith("https:"))) {
            b.sslContext(sslContext(t));
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
            String tls = tlsProblem(e.getCause());
            if (tls != null) {
                throw new EtcdException(what + " on " + endpoints + " failed: " + tls + " (" + message(c) + ")",
                        "the CA and client certificate in use are said at the run's first etcd step; name others with etcd_member_ca, "
                                + "etcd_member_cert and etcd_member_key (on the members) or etcd_ca, etcd_cert and etcd_key (here)", true);
            }
            throw new EtcdException(what + " on " + endpoints + " failed: " + message(c), null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EtcdException(what + ": interrupted", null);
        }
    }

    private static final String[] TLS_PROBLEMS = {"the member's server certificate is not signed by the CA in use",
        "the member's server certificate does not name the address it was reached at",
        "the member refused the client certificate (not signed by a CA it trusts, or none given)"};

    /** True when a call's failure message says a certificate was refused or not trusted (waiting does not help). */
    static boolean isTlsFailure(String message) {
        return message != null && java.util.Arrays.stream(TLS_PROBLEMS).anyMatch(message::contains);
    }

    /** Where the target's TLS material came from, or null (none, or it could not be read). */
    String tlsOrigin(EtcdTarget t) {
        try {
            TlsMaterial m = tls(t);
            return m == null ? null : m.origin();
        } catch (RuntimeException e) {
            return null;
        }
    }

    /**
     * What a TLS failure anywhere in {@code t}'s causes means for the operator, or null when it is
     * none: the server's certificate not signed by our CA, not naming the member's address, or our
     * client certificate refused by the member (its alert, received after the handshake in TLS 1.3).
     */
    static String tlsProblem(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            String m = String.valueOf(c.getMessage());
            if (m.contains("PKIX path") || m.contains("unable to find valid certification path") || m.contains("signature check failed")) {
                return TLS_PROBLEMS[0];
            }
            if (m.contains("No subject alternative") || m.contains("No name matching")) {
                return TLS_PROBLEMS[1];
            }
            if (m.contains("bad_certificate") || m.contains("certificate_required") || m.contains("unknown_ca")
                    || m.contains("certificate_unknown") || m.contains("unsupported_certificate")) {
                return TLS_PROBLEMS[2];
            }
            if (c.getCause() == c) {
                break;
            }
        }
        return null;
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
        resolverTargets.values().forEach(RouteResolver::forget);
        resolverTargets.clear();
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
        private final boolean tls;

        public EtcdException(String message, String hint) {
            this(message, hint, false);
        }

        EtcdException(String message, String hint, boolean tls) {
            super(message);
            this.hint = hint;
            this.tls = tls;
        }

        /** True when the failure was TLS (a certificate refused or not trusted). */
        boolean tls() {
            return tls;
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

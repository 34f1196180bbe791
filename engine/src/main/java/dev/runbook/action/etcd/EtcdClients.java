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
 * The run's jetcd clients: one per cluster (all endpoints, balanced) and one per single endpoint
 * (snapshots and health must talk to ONE chosen member), opened on first use, closed with the run.
 * Every call goes through {@link #call}, which enforces a deadline and explains a timeout.
 */
public final class EtcdClients implements AutoCloseable {
    private static final java.util.concurrent.atomic.AtomicBoolean WARM = new java.util.concurrent.atomic.AtomicBoolean();
    private final Map<String, Client> clients = new ConcurrentHashMap<>();

    /**
     * Once per process: a throwaway client makes one read-only status call to the first endpoint,
     * so the classes and TLS code of a first call are loaded before a step waits on them. The
     * client is closed, not cached: a channel kept across the restart of its member would sit in
     * gRPC's reconnect backoff exactly when the quorum gate needs it.
     */
    static void warmUp(EtcdTarget t) {
        if (!WARM.compareAndSet(false, true)) {
            return;
        }
        Client c = build(t, List.of(t.endpoints().get(0)));
        try {
            c.getMaintenanceClient().statusMember(t.endpoints().get(0)).get(Math.min(3000, t.callTimeout().toMillis()), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            // a member that is down still loaded the code paths up to the connection
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            c.close();
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
    }

    private static String key(EtcdTarget t, List<String> endpoints) {
        return endpoints + "|" + t.ca() + "|" + t.cert() + "|" + t.key();
    }

    private Client client(EtcdTarget t, List<String> endpoints) {
        return clients.computeIfAbsent(key(t, endpoints), k -> build(t, endpoints));
    }

    private static Client build(EtcdTarget t, List<String> endpoints) {
        ClientBuilder b = Client.builder().endpoints(endpoints.toArray(String[]::new))
                .connectTimeout(t.callTimeout()).retryMaxDuration(t.callTimeout()).keepaliveWithoutCalls(false);
        if (t.ca() != null) {
            try {
                b.sslContext(s -> {
                    s.trustManager(t.ca().toFile());
                    if (t.cert() != null && t.key() != null) {
                        s.keyManager(t.cert().toFile(), t.key().toFile());
                    }
                });
            } catch (javax.net.ssl.SSLException e) {
                throw new EtcdException("cannot load TLS files (" + t.ca() + ", " + t.cert() + ", " + t.key() + "): " + e.getMessage(),
                        "etcd_cert/etcd_key must be a PEM certificate and its private key");
            }
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

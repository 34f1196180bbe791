package dev.runbook.action.etcd;

import dev.runbook.action.Action;
import dev.runbook.action.ActionResult;
import dev.runbook.action.StepContext;
import dev.runbook.error.RunbookException;
import dev.runbook.model.Node;
import dev.runbook.parse.Fields;
import dev.runbook.template.Template;
import dev.runbook.template.Templates;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLSocketFactory;

/**
 * {@code etcd.peers}: which peers one member has a live raft connection with, as that member sees
 * it (its {@code etcd_network_active_peers} gauge on {@code /metrics}); registers {@code active}
 * (a count), {@code remotes} (member ids) and {@code answered}. With {@code until: alone} it polls
 * (every {@code delay}, default 20ms, up to the step's timeout, default 30s) until the member sees
 * none: the point after which a leader told to stop has nobody to hand its leadership to, so it
 * stops at once instead of waiting etcd's request timeout (~7 s) on a follower that is itself
 * stopping. This is exactly the test etcd's own hand-over makes (a peer without an active
 * connection is never chosen). A member that does not answer, or has no such gauge, is reported,
 * not waited for: the stop that follows is then only as fast as etcd makes it.
 */
final class PeersAction extends EtcdAction {
    private static final String GAUGE = "etcd_network_active_peers";
    private static final String RECEIVED = "etcd_network_peer_received_bytes_total";

    static {
        // no idle connection kept after a poll ("Connection: close" is a header the JDK will not
        // send): read once, when the JDK's HTTP client first loads; this is its only user here
        if (System.getProperty("http.keepAlive") == null) {
            System.setProperty("http.keepAlive", "false");
        }
    }

    private final Template member;
    private final boolean untilAlone;
    private final Duration delay;

    private PeersAction(EtcdTarget.Spec spec, Template member, boolean untilAlone, Duration delay) {
        super(spec);
        this.member = member;
        this.untilAlone = untilAlone;
        this.delay = delay;
    }

    static Action create(Node value) {
        Fields f = new Fields(value, "etcd.peers");
        EtcdTarget.Spec spec = EtcdTarget.spec(f);
        Node m = f.required("member");
        String until = f.string("until", null);
        if (until != null && !until.equals("alone")) {
            throw RunbookException.invalid(f.at("until"), "until must be 'alone' (no active peer connection), not '" + until + "'", null);
        }
        Duration delay = f.duration("delay", Duration.ofMillis(20));
        f.finish();
        return new PeersAction(spec, Templates.text(Fields.scalarText(m, "member"), m.at()), until != null, delay);
    }

    @Override
    List<String> plan(StepContext ctx, String cluster) {
        String who = ctx.render(member);
        return List.of("active peer connections of member " + who + " (its /metrics, read-only)"
                + (untilAlone ? ": wait until it has none (up to " + timeout(ctx, Duration.ofSeconds(30)).toSeconds() + "s)" : ""));
    }

    @Override
    ActionResult execute(StepContext ctx, EtcdTarget target) {
        String who = ctx.render(member).trim();
        if (who.isEmpty()) {
            throw new IllegalArgumentException("etcd.peers: member is empty (a host name or client URL is needed)");
        }
        String endpoint = target.endpointOf(who, ctx.scope());
        long deadline = System.nanoTime() + timeout(ctx, Duration.ofSeconds(30)).toNanos();
        int polls = 0;
        while (true) {
            polls++;
            List<String> active;
            try {
                active = activeRemotes(fetch(EtcdClients.of(ctx), target, endpoint));
            } catch (IOException e) {
                Map<String, Object> r = result(false, List.of(), polls);
                String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
                return ActionResult.ok(false, who + " does not answer on " + endpoint + "/metrics (" + why + "): its peers are unknown", r);
            }
            if (active == null) {
                return ActionResult.ok(false, who + " reports no " + GAUGE + " gauge: its peers are unknown", result(true, List.of(), polls));
            }
            if (!untilAlone || active.isEmpty()) {
                return ActionResult.ok(false, active.isEmpty() ? who + " has no active peer" + (polls > 1 ? " (after " + polls + " polls)" : "")
                        : who + " has " + active.size() + " active peer(s)", result(true, active, polls));
            }
            if (ctx.cancelled() || System.nanoTime() + delay.toNanos() > deadline) {
                Map<String, Object> r = result(true, active, polls);
                return new ActionResult(true, false, 1, "", "", who + " still sees " + active.size() + " active peer(s) " + active
                        + " after " + timeout(ctx, Duration.ofSeconds(30)).toSeconds() + "s: are the other members stopping?", r, false);
            }
            try {
                Thread.sleep(delay.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return ActionResult.aborted("interrupted while waiting for " + who + " to have no active peer");
            }
        }
    }

    /** The JDK's HTTPS client and TLS handshake load ahead (~0.1 s cold), with one read of a member's gauge. */
    @Override
    void prepare(EtcdClients clients, EtcdTarget target) {
        try {
            activeRemotes(fetch(clients, target, target.endpoints().get(0)));
        } catch (IOException | RuntimeException e) {
            // preparation only: the step reports what is wrong
        }
    }

    private static Map<String, Object> result(boolean answered, List<String> active, int polls) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("answered", answered);
        r.put("active", active.size());
        r.put("remotes", active);
        r.put("polls", polls);
        return r;
    }

    /**
     * The remote member ids whose gauge is above 0, from a Prometheus text page; null when the page
     * has no such gauge at all (an etcd that does not export it: nothing can be concluded).
     */
    static List<String> activeRemotes(String metrics) {
        if (metrics.lines().noneMatch(l -> l.startsWith(GAUGE + "{"))) {
            return null;
        }
        List<String> active = new ArrayList<>();
        samples(metrics, GAUGE, "Remote").forEach((remote, v) -> {
            if (v > 0) {
                active.add(remote);
            }
        });
        return active;
    }

    /** Raft bytes this member has received from each peer so far (member id -> bytes), from a Prometheus text page. */
    static Map<String, Double> receivedBytes(String metrics) {
        Map<String, Double> out = new LinkedHashMap<>();
        samples(metrics, RECEIVED, "From").forEach((from, v) -> out.put(PublishStalls.normalId(from), v));
        return out;
    }

    /** One metric's samples on a Prometheus text page, by the value of one label; lines whose value does not parse are left out. */
    private static Map<String, Double> samples(String metrics, String metric, String byLabel) {
        Map<String, Double> out = new LinkedHashMap<>();
        for (String line : metrics.split("\n")) {
            if (line.startsWith(metric + "{")) {
                int close = line.lastIndexOf('}');
                try {
                    double v = Double.parseDouble(line.substring(close + 1).trim().split("\\s+")[0]);
                    out.put(label(line.substring(metric.length() + 1, Math.max(close, metric.length() + 1)), byLabel), v);
                } catch (RuntimeException e) {
                    // a line this parser does not understand tells nothing
                }
            }
        }
        return out;
    }

    private static String label(String labels, String name) {
        int at = labels.indexOf(name + "=\"");
        if (at < 0) {
            return "?";
        }
        int from = at + name.length() + 2;
        int to = labels.indexOf('"', from);
        return to < 0 ? "?" : labels.substring(from, to);
    }

    /**
     * One GET of the member's /metrics on a connection closed right after: an open client
     * connection would slow that member's own stop (etcd drains its clients first). Keeps the
     * active-peer gauge's and the received-bytes counter's lines only.
     */
    static String fetch(EtcdClients clients, EtcdTarget target, String endpoint) throws IOException {
        Routes.Route route = clients.route(target, endpoint);
        URI u = URI.create(endpoint.replaceAll("/+$", ""));
        String dial = route.via() == null ? u.toString() : route.dialUrl();
        HttpURLConnection c = (HttpURLConnection) URI.create(dial + "/metrics").toURL().openConnection();
        try {
            if (c instanceof HttpsURLConnection https) {
                SSLSocketFactory f = clients.jdkContext(target).getSocketFactory();
                https.setSSLSocketFactory(route.via() == null ? f : new RealHostSockets(f, u.getHost(), route.address().getPort()));
            }
            int ms = (int) Math.min(Integer.MAX_VALUE, target.callTimeout().toMillis());
            c.setConnectTimeout(ms);
            c.setReadTimeout(ms);
            c.setUseCaches(false);
            int code = c.getResponseCode();
            if (code != 200) {
                throw new IOException("HTTP " + code);
            }
            try (BufferedReader in = new BufferedReader(new InputStreamReader(c.getInputStream(), StandardCharsets.UTF_8))) {
                StringBuilder b = new StringBuilder(1 << 16);
                String line;
                while ((line = in.readLine()) != null) {
                    if (line.startsWith(GAUGE) || line.startsWith(RECEIVED)) {
                        b.append(line).append('\n');
                    }
                }
                return b.toString();
            }
        } finally {
            c.disconnect();
        }
    }

    /**
     * TLS sockets for a tunnelled member: the connection goes to the local forward, the TLS
     * session is made for the member's real address, and the JDK's HTTPS identity check runs
     * against that address (so HttpsURLConnection skips its own check against 127.0.0.1).
     */
    private static final class RealHostSockets extends SSLSocketFactory {
        private final SSLSocketFactory delegate;
        private final String host;
        private final int port;

        RealHostSockets(SSLSocketFactory delegate, String host, int port) {
            this.delegate = delegate;
            this.host = host;
            this.port = port;
        }

        @Override
        public java.net.Socket createSocket(java.net.Socket s, String ignoredHost, int ignoredPort, boolean autoClose) throws IOException {
            javax.net.ssl.SSLSocket tls = (javax.net.ssl.SSLSocket) delegate.createSocket(s, host, port, autoClose);
            javax.net.ssl.SSLParameters p = tls.getSSLParameters();
            p.setEndpointIdentificationAlgorithm("HTTPS");
            tls.setSSLParameters(p);
            return tls;
        }

        @Override
        public String[] getDefaultCipherSuites() {
            return delegate.getDefaultCipherSuites();
        }

        @Override
        public String[] getSupportedCipherSuites() {
            return delegate.getSupportedCipherSuites();
        }

        @Override
        public java.net.Socket createSocket(String h, int p) throws IOException {
            throw new IOException("a tunnelled member's socket is made over the forward's connection only");
        }

        @Override
        public java.net.Socket createSocket(String h, int p, java.net.InetAddress local, int localPort) throws IOException {
            return createSocket(h, p);
        }

        @Override
        public java.net.Socket createSocket(java.net.InetAddress h, int p) throws IOException {
            return createSocket("", p);
        }

        @Override
        public java.net.Socket createSocket(java.net.InetAddress h, int p, java.net.InetAddress local, int localPort) throws IOException {
            return createSocket("", p);
        }
    }
}

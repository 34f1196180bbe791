package dev.runbook.action.etcd;

import dev.runbook.action.HostLinks;
import dev.runbook.inventory.Host;
import dev.runbook.memo.Memo;
import dev.runbook.transport.TransportException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;

/**
 * How the run reaches each etcd member's client URL: straight from this machine, or through the
 * SSH connection of the inventory host that owns the URL (a local forward whose connections are
 * direct-tcpip channels to the URL as that host sees it, through its bastion when it has one).
 * Decided once per endpoint per run ({@link EtcdTarget.Access}; auto: direct when the member
 * itself answers from here within a second, see {@link Probe}, else SSH). A tunnelled route keeps the member's real
 * address as its TLS authority: its server certificate is checked for that address, never for
 * the tunnel's 127.0.0.1.
 */
final class Routes {
    /** How AUTO probes a client port from this machine: long enough for a LAN, short for a firewall that drops. */
    private static final int PROBE_MILLIS = 1000;

    /**
     * One endpoint's way in.
     *
     * @param address where to connect (the endpoint itself, or a local forward)
     * @param authority the endpoint's real {@code host:port}, for TLS and gRPC's :authority
     * @param via the inventory host whose SSH connection carries it; null when direct
     */
    record Route(String endpoint, InetSocketAddress address, String authority, String via) {
        /** The URL a client dials: the endpoint's scheme on the route's address. */
        String dialUrl() {
            return URI.create(endpoint).getScheme() + "://" + address.getHostString() + ":" + address.getPort();
        }

        /** "direct" or "ssh via etcd-01": for messages. */
        String describe() {
            return via == null ? "direct" : "ssh via " + via;
        }
    }

    /**
     * Whether a member answers on its client port from this machine, AS that member: with TLS, a
     * handshake whose server certificate is checked for the address (a middlebox that accepts
     * every TCP connection, as some networks have, is not the member); with plain http, a connect.
     */
    @FunctionalInterface
    interface Probe {
        boolean answers(EtcdTarget t, String host, int port, int millis);
    }

    private final Memo<String, Route> routes = new Memo<>();
    private final Probe probe;

    Routes(Probe probe) {
        this.probe = probe;
    }

    /** Routes whose auto mode probes with a plain TCP connect. */
    Routes() {
        this((t, host, port, millis) -> connects(host, port, millis));
    }

    /** The endpoint's route, decided on first use (a probe of up to a second in auto mode). */
    Route of(EtcdTarget t, String endpoint, HostLinks links) {
        return routes.get(t.access() + "|" + endpoint, k -> decide(t, endpoint, links));
    }

    private Route decide(EtcdTarget t, String endpoint, HostLinks links) {
        URI u = URI.create(endpoint.contains("://") ? endpoint : "https://" + endpoint);
        int port = u.getPort() > 0 ? u.getPort() : 2379;
        String authority = u.getHost() + ":" + port;
        InetSocketAddress direct = InetSocketAddress.createUnresolved(u.getHost(), port);
        if (t.access() == EtcdTarget.Access.DIRECT) {
            return new Route(endpoint, direct, authority, null);
        }
        Host owner = owner(endpoint, u.getHost(), links);
        if (owner == null || owner.local()) {
            if (t.access() == EtcdTarget.Access.SSH && owner == null) {
                throw new EtcdClients.EtcdException("etcd_access is ssh, but no inventory host owns " + endpoint,
                        "give that member's host etcd_client_url: " + endpoint + " or the address " + u.getHost() + " in the inventory");
            }
            return new Route(endpoint, direct, authority, null);
        }
        if (t.access() == EtcdTarget.Access.AUTO && probe.answers(t, u.getHost(), port, (int) Math.min(PROBE_MILLIS, t.callTimeout().toMillis()))) {
            return new Route(endpoint, direct, authority, null);
        }
        try {
            InetSocketAddress local = links.transport(owner).forward(u.getHost(), port);
            return new Route(endpoint, local, authority, owner.name());
        } catch (TransportException e) {
            throw new EtcdClients.EtcdException("cannot reach " + endpoint + " through " + owner.name() + "'s SSH connection: " + e.getMessage(),
                    e.hint());
        }
    }

    /**
     * The inventory host a client URL belongs to: the one whose {@code etcd_client_url} is this
     * URL, else the one whose address is the URL's host.
     */
    static Host owner(String endpoint, String urlHost, HostLinks links) {
        String norm = endpoint.replaceAll("/+$", "");
        List<Host> byAddress = new ArrayList<>();
        for (Host h : links.hosts()) {
            Object url = h.vars().get("etcd_client_url");
            if (url != null && String.valueOf(url).replaceAll("/+$", "").equals(norm)) {
                return h;
            }
            if (urlHost.equalsIgnoreCase(h.address())) {
                byAddress.add(h);
            }
        }
        if (!byAddress.isEmpty()) {
            return byAddress.get(0);
        }
        // a name on one side and an address on the other (ansible_host: etcd1.example.com,
        // endpoints by IP): the same host when both resolve to one address here
        java.net.InetAddress want = resolve(urlHost);
        if (want != null) {
            for (Host h : links.hosts()) {
                if (!h.local() && want.equals(resolve(h.address()))) {
                    return h;
                }
            }
        }
        return null;
    }

    private static java.net.InetAddress resolve(String name) {
        try {
            return name == null ? null : java.net.InetAddress.getByName(name);
        } catch (java.net.UnknownHostException | SecurityException e) {
            return null;
        }
    }

    static boolean connects(String host, int port, int millis) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), Math.max(1, millis));
            return true;
        } catch (IOException | IllegalArgumentException e) {
            return false;
        }
    }
}

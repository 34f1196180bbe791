package dev.runbook.action.etcd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runbook.action.HostLinks;
import dev.runbook.inventory.Host;
import dev.runbook.model.SourceLocation;
import dev.runbook.transport.ExecOptions;
import dev.runbook.transport.ExecResult;
import dev.runbook.transport.Transport;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * etcd reached through a host's forward (a TCP relay on 127.0.0.2 stands in for the SSH tunnel),
 * against real TLS members whose certificates name 127.0.0.1 only: every kind of call goes through
 * the relay, and the server certificate is checked for the member's real address, never the relay's.
 */
class RoutesTest {
    @TempDir
    Path dir;

    /** A fake member host: its address is the member's, its "SSH forward" a relay on 127.0.0.2 to the real port. */
    private static final class RelayHost implements Transport {
        final List<ServerSocket> listeners = new ArrayList<>();
        final AtomicInteger relayed = new AtomicInteger();

        @Override
        public InetSocketAddress forward(String host, int port) {
            try {
                ServerSocket s = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.2"));
                listeners.add(s);
                Thread t = new Thread(() -> {
                    while (!s.isClosed()) {
                        try {
                            Socket in = s.accept();
                            relayed.incrementAndGet();
                            Socket out = new Socket("127.0.0.1", port); // where the member listens, whatever address it was asked as
                            pump(in, out);
                            pump(out, in);
                        } catch (IOException e) {
                            return;
                        }
                    }
                });
                t.setDaemon(true);
                t.start();
                return new InetSocketAddress(s.getInetAddress(), s.getLocalPort());
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }

        private static void pump(Socket from, Socket to) {
            Thread t = new Thread(() -> {
                try (InputStream i = from.getInputStream(); OutputStream o = to.getOutputStream()) {
                    i.transferTo(o);
                } catch (IOException ignored) {
                    // one side closed
                } finally {
                    try {
                        from.close();
                        to.close();
                    } catch (IOException ignored) {
                        // closing
                    }
                }
            });
            t.setDaemon(true);
            t.start();
        }

        @Override
        public ExecResult exec(String command, ExecOptions options) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void upload(Path local, String remotePath) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void upload(byte[] content, String remotePath) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void download(String remotePath, Path local) {
            throw new UnsupportedOperationException();
        }

        @Override
        public byte[] read(String remotePath) {
            throw new UnsupportedOperationException();
        }

        @Override
        public String describe() {
            return "relay";
        }

        @Override
        public void close() {
            for (ServerSocket s : listeners) {
                try {
                    s.close();
                } catch (IOException ignored) {
                    // closing
                }
            }
        }
    }

    private static Host host(String name, String clientUrl) {
        String address = URI.create(clientUrl).getHost();
        return new Host(name, address, 22, "root", null, null, "ssh", null, Map.of("etcd_client_url", clientUrl), List.of("etcd"),
                new SourceLocation("inv.yml", 1, 1));
    }

    @Test
    void everyKindOfCallGoesThroughTheHostsForwardWithTheCertificateCheckedForTheMembersAddress() throws Exception {
        try (LocalEtcd etcd = new LocalEtcd(Files.createDirectories(dir.resolve("c")), 3, true); RelayHost relay = new RelayHost()) {
            List<Host> hosts = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                hosts.add(host("m" + i, etcd.clientUrls.get(i)));
            }
            HostLinks links = HostLinks.of(hosts, h -> relay);
            EtcdTarget t = new EtcdTarget(etcd.clientUrls, EtcdTarget.Tls.control(etcd.ca(), etcd.cert(), etcd.key()), EtcdTarget.Access.SSH,
                    Duration.ofSeconds(5));
            try (EtcdClients clients = new EtcdClients(links)) {
                String ep = etcd.clientUrls.get(1);
                Routes.Route r = clients.route(t, ep);
                assertEquals("m1", r.via());
                assertEquals("127.0.0.2", r.address().getAddress().getHostAddress());
                assertEquals(URI.create(ep).getAuthority(), r.authority());
                clients.beginStep();
                // per-member channel, per-member jetcd client, the several-member client, /metrics over HTTPS
                EtcdClients.call(clients.status(t, ep), ep, "status", 5000);
                EtcdClients.call(clients.member(t, ep).getKVClient().put(EtcdAction.bytes("k"), EtcdAction.bytes("v")), ep, "put", 5000);
                assertEquals(3, EtcdClients.call(clients.cluster(t).getClusterClient().listMember(), ep, "member list", 5000).getMembers().size());
                assertEquals(1, EtcdClients.call(clients.cluster(t).getKVClient().get(EtcdAction.bytes("k")), ep, "get", 5000).getKvs().size());
                assertTrue(PeersAction.fetch(clients, t, ep).contains("etcd_network_active_peers"));
                clients.endStep();
                assertTrue(relay.relayed.get() >= 4, "connections through the relay: " + relay.relayed.get());
                String note = clients.firstNote(t);
                assertTrue(note.contains("through the SSH connections of m0, m1, m2"), note);
                assertNull(clients.firstNote(t), "said once per run");
            }

            // the same relay, but the member is asked for as 127.0.0.3: its certificate (127.0.0.1) does not name it
            int port = URI.create(etcd.clientUrls.get(0)).getPort();
            String wrong = "https://127.0.0.3:" + port;
            HostLinks lied = HostLinks.of(List.of(host("m9", wrong)), h -> relay);
            EtcdTarget w = new EtcdTarget(List.of(wrong), EtcdTarget.Tls.control(etcd.ca(), etcd.cert(), etcd.key()), EtcdTarget.Access.SSH,
                    Duration.ofSeconds(3));
            try (EtcdClients clients = new EtcdClients(lied)) {
                clients.beginStep();
                EtcdClients.EtcdException e = assertThrows(EtcdClients.EtcdException.class,
                        () -> EtcdClients.call(clients.status(w, wrong), wrong, "status", 3000));
                assertTrue(e.getMessage().contains("127.0.0.3"), e.getMessage());
                assertThrows(IOException.class, () -> PeersAction.fetch(clients, w, wrong));
                clients.endStep();
            }
        }
    }

    @Test
    void autoGoesDirectWhenThePortAnswersAndThroughTheHostWhenItDoesNot() throws Exception {
        try (ServerSocket open = new ServerSocket(0, 5, InetAddress.getByName("127.0.0.1")); RelayHost relay = new RelayHost()) {
            String answering = "https://127.0.0.1:" + open.getLocalPort();
            int closed;
            try (ServerSocket s = new ServerSocket(0, 5, InetAddress.getByName("127.0.0.1"))) {
                closed = s.getLocalPort();
            }
            String silent = "https://127.0.0.1:" + closed;
            HostLinks links = HostLinks.of(List.of(host("a", answering), host("b", silent)), h -> relay);
            EtcdTarget t = new EtcdTarget(List.of(answering, silent), EtcdTarget.Tls.NONE, EtcdTarget.Access.AUTO, Duration.ofSeconds(1));
            Routes routes = new Routes();
            assertNull(routes.of(t, answering, links).via());
            assertEquals("b", routes.of(t, silent, links).via());
            // an endpoint no inventory host owns cannot be tunnelled: direct in auto, an error naming it in ssh
            String stranger = "https://127.0.0.9:2379";
            assertNull(routes.of(t, stranger, links).via());
            EtcdTarget ssh = new EtcdTarget(List.of(stranger), EtcdTarget.Tls.NONE, EtcdTarget.Access.SSH, Duration.ofSeconds(1));
            EtcdClients.EtcdException e = assertThrows(EtcdClients.EtcdException.class, () -> routes.of(ssh, stranger, links));
            assertTrue(e.getMessage().contains(stranger), e.getMessage());
        }
    }

    @Test
    void theOwnerOfAClientUrlIsTheHostWithThatUrlElseThatAddressElseTheSameAddressByName() {
        Host byUrl = host("a", "https://10.0.0.1:2379");
        Host named = new Host("b", "localhost", 22, "root", null, null, "ssh", null, Map.of(), List.of("etcd"), new SourceLocation("inv.yml", 2, 1));
        HostLinks links = HostLinks.of(List.of(byUrl, named), h -> null);
        assertEquals("a", Routes.owner("https://10.0.0.1:2379/", "10.0.0.1", links).name());
        // the inventory names the host, the endpoint gives its address: the same host
        assertEquals("b", Routes.owner("https://127.0.0.1:2379", "127.0.0.1", links).name());
        assertNull(Routes.owner("https://10.0.0.9:2379", "10.0.0.9", links));
    }
}

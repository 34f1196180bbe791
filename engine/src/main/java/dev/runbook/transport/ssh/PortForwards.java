package dev.runbook.transport.ssh;

import dev.runbook.transport.TransportException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import net.schmizz.sshj.SSHClient;
import net.schmizz.sshj.connection.channel.direct.LocalPortForwarder;
import net.schmizz.sshj.connection.channel.direct.Parameters;

/**
 * Local TCP forwards through one host's SSH connection (and so through its bastion, if any): a
 * listener on 127.0.0.1 whose every connection becomes a direct-tcpip channel to a target as the
 * host sees it (e.g. its etcd client port, closed to this machine). One listener per target per
 * run, closed with the connection. A target that refuses one connection (the service restarting)
 * costs that connection only: the listener goes on, where sshj's own listener would stop.
 */
final class PortForwards implements AutoCloseable {
    private final String host;
    private final SSHClient client;
    private final Map<String, ServerSocket> listeners = new ConcurrentHashMap<>();

    PortForwards(String host, SSHClient client) {
        this.host = host;
        this.client = client;
    }

    /** The local address that reaches {@code targetHost:targetPort} from this host; the listener is started on first use. */
    synchronized InetSocketAddress to(String targetHost, int targetPort) {
        String key = targetHost + ":" + targetPort;
        ServerSocket s = listeners.get(key);
        if (s == null) {
            try {
                s = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            } catch (IOException e) {
                throw new TransportException(host, "cannot listen on 127.0.0.1 for a forward to " + key + ": " + e.getMessage(), null, e);
            }
            ServerSocket listener = s;
            Parameters p = new Parameters("127.0.0.1", s.getLocalPort(), targetHost, targetPort);
            Thread t = new Thread(() -> accept(listener, p), "forward-" + host + "-" + key);
            t.setDaemon(true);
            t.start();
            listeners.put(key, s);
        }
        return new InetSocketAddress(s.getInetAddress(), s.getLocalPort());
    }

    private void accept(ServerSocket listener, Parameters p) {
        while (!listener.isClosed()) {
            Socket socket;
            try {
                socket = listener.accept();
            } catch (IOException closed) {
                return;
            }
            try {
                socket.setTcpNoDelay(true);
                Channel ch = new Channel(client, socket, p);
                ch.open();
                ch.copy();
            } catch (IOException refused) {
                // the target refused this one (down, restarting) or the connection is gone: this
                // client sees its socket close, as it would on a refused TCP connect
                try {
                    socket.close();
                } catch (IOException ignored) {
                    // closing anyway
                }
                if (!client.isConnected()) {
                    close();
                    return;
                }
            }
        }
    }

    /** sshj's forwarded channel (the two stream copiers and their monitor), started by us. */
    private static final class Channel extends LocalPortForwarder.ForwardedChannel {
        Channel(SSHClient client, Socket socket, Parameters p) {
            super(client.getConnection(), socket, p);
        }

        void copy() throws IOException {
            start();
        }
    }

    @Override
    public void close() {
        for (ServerSocket s : listeners.values()) {
            try {
                s.close();
            } catch (IOException ignored) {
                // the run is ending
            }
        }
        listeners.clear();
    }
}

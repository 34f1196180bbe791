package dev.runbook.transport.ssh;

import dev.runbook.transport.TransportException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.file.Path;
import net.schmizz.sshj.SSHClient;
import net.schmizz.sshj.userauth.UserAuthException;

/**
 * Opens one authenticated SSH connection: the shared configuration, the host-key policy, the
 * socket (direct, or a channel through a jump host), the login; and turns every way that fails
 * into a {@link TransportException} that names the host and says what to check.
 */
final class SshConnector {
    private SshConnector() {
    }

    /**
     * Connects to {@code t} and logs in. {@code via} is the jump host's authenticated client to
     * tunnel through (null: a direct TCP connection).
     */
    static SSHClient connect(SshTarget t, boolean acceptNewHostKeys, int connectTimeoutMillis, SSHClient via, String viaName) {
        SSHClient c = SshConfig.newClient(connectTimeoutMillis);
        Path kh = t.knownHosts() != null ? t.knownHosts() : Path.of(System.getProperty("user.home"), ".ssh", "known_hosts");
        HostKeyPolicy check;
        try {
            check = new HostKeyPolicy(new KnownHostsFile(kh.toFile()), acceptNewHostKeys);
        } catch (IOException e) {
            throw new TransportException(t.name(), "cannot read known_hosts " + kh + ": " + e.getMessage(), null, e);
        }
        c.addHostKeyVerifier(check);
        String where = t.user() + "@" + t.address() + ":" + t.port() + (viaName == null ? "" : " (through " + viaName + ")");
        try {
            long t0 = System.nanoTime();
            if (via == null) {
                c.connect(t.address(), t.port());
            } else {
                c.connectVia(via.newDirectConnection(t.address(), t.port()));
            }
            long t1 = System.nanoTime();
            c.setTimeout(0);
            Authentication.login(c, t);
            long t2 = System.nanoTime();
            dev.runbook.trace.Trace.line("connect", "%s connect=%.0fms auth=%.0fms", t.name(), (t1 - t0) / 1e6, (t2 - t1) / 1e6);
            return c;
        } catch (net.schmizz.sshj.transport.TransportException e) {
            close(c);
            throw hostKeyProblem(t.name(), where, check, kh, e);
        } catch (UserAuthException e) {
            close(c);
            throw new TransportException(t.name(), "authentication as " + t.user() + " failed on " + where
                    + (e.getMessage() == null ? "" : " (" + e.getMessage() + ")"), Authentication.hint(t), e);
        } catch (net.schmizz.sshj.connection.channel.OpenFailException e) {
            close(c);
            throw new TransportException(t.name(), "unreachable at " + where + ": the jump host could not open a channel to it ("
                    + e.getMessage() + ")", "is the host up and sshd listening, and may " + viaName + " forward to it (AllowTcpForwarding)?", e);
        } catch (ConnectException | NoRouteToHostException | SocketTimeoutException | UnknownHostException e) {
            close(c);
            throw new TransportException(t.name(), "unreachable at " + where + " (" + e.getClass().getSimpleName()
                    + ": " + e.getMessage() + ")", "is the host up and sshd listening? check address/port in the inventory", e);
        } catch (IOException e) {
            close(c);
            throw new TransportException(t.name(), "cannot connect to " + where + ": " + e.getMessage(),
                    "is the host up and sshd listening?", e);
        }
    }

    private static TransportException hostKeyProblem(String name, String where, HostKeyPolicy check, Path kh, Exception e) {
        switch (check.outcome()) {
            case CHANGED:
                return new TransportException(name, "HOST KEY CHANGED for " + where + " (now " + check.fingerprint()
                        + "); refusing to connect", "if the host was really reinstalled, remove its old line from " + kh
                        + " and verify the new key out of band; a changed key can mean someone is intercepting the connection", e);
            case REVOKED:
                return new TransportException(name, "host key of " + where + " (" + check.fingerprint()
                        + ") is marked @revoked in " + kh + "; refusing to connect",
                        "the host must get a new key, verified out of band; a revoked key is never accepted", e);
            case UNKNOWN:
                return new TransportException(name, "unknown host key for " + where + " (" + check.fingerprint()
                        + ", not in " + kh + ")", "add it to known_hosts (ssh-keyscan, verified out of band) or run once with --accept-new-host-keys", e);
            default:
                return new TransportException(name, "SSH handshake with " + where + " failed: " + e.getMessage(), null, e);
        }
    }

    static void close(SSHClient c) {
        try {
            c.disconnect();
        } catch (IOException ignored) {
            // nothing useful to do on a failed disconnect
        }
    }
}

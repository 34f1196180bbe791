package dev.runbook.transport.ssh;

import dev.runbook.transport.TransportException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import net.schmizz.sshj.SSHClient;

/**
 * The run's connections to jump hosts (bastions): ONE per distinct jump (and the chain before it),
 * shared by every host behind it, each host reached by a direct-tcpip channel through it. A jump
 * is checked against known_hosts as strictly as any host; one that cannot be reached fails every
 * host behind it with a message naming the jump.
 */
public final class JumpHosts implements AutoCloseable {
    private final boolean acceptNewHostKeys;
    private final int connectTimeoutMillis;
    private final Map<String, CompletableFuture<SSHClient>> open = new ConcurrentHashMap<>();

    public JumpHosts(boolean acceptNewHostKeys, int connectTimeoutMillis) {
        this.acceptNewHostKeys = acceptNewHostKeys;
        this.connectTimeoutMillis = connectTimeoutMillis;
    }

    /**
     * The authenticated client of the last jump on {@code t}'s route, connecting the chain on first
     * use (null for a direct host). Jumps log in with {@code t}'s keys and known_hosts.
     */
    SSHClient through(SshTarget t) {
        SSHClient via = null;
        String chain = "";
        String viaName = null;
        List<String> seen = new ArrayList<>();
        for (SshTarget.Jump j : t.jumps()) {
            if (seen.contains(j.key())) {
                throw new TransportException(t.name(), "ProxyJump loop: " + j.key() + " appears twice in " + t.route(),
                        "each jump host may appear once on a route; check ansible_ssh_common_args / jump_host", null);
            }
            seen.add(j.key());
            chain = chain + ">" + j.key();
            SSHClient prev = via;
            String prevName = viaName;
            CompletableFuture<SSHClient> f = open.computeIfAbsent(chain, k -> new CompletableFuture<>());
            synchronized (f) {
                if (!f.isDone()) {
                    try {
                        SshTarget jt = new SshTarget(j.key(), j.address(), j.port(), j.user(), t.identityFile(), t.knownHosts(),
                                null, false, List.of(), null, null, t.identitiesOnly(), t.agentSocket(), t.moreIdentityFiles());
                        f.complete(SshConnector.connect(jt, acceptNewHostKeys, connectTimeoutMillis, prev, prevName));
                    } catch (TransportException e) {
                        f.completeExceptionally(e);
                    }
                }
            }
            try {
                via = f.join();
            } catch (java.util.concurrent.CompletionException e) {
                TransportException cause = (TransportException) e.getCause();
                String why = cause.getMessage().startsWith(j.key() + ": ") ? cause.getMessage().substring(j.key().length() + 2) : cause.getMessage();
                throw new TransportException(t.name(), "cannot reach it through jump host " + j.key() + ": " + why, cause.hint(), cause);
            }
            if (!via.isConnected()) {
                throw new TransportException(t.name(), "cannot reach it: the connection to jump host " + j.key() + " was lost",
                        "is the bastion up? every host behind it is unreachable until it is", null);
            }
            viaName = j.key();
        }
        return via;
    }

    /** Closes every jump connection (after the hosts behind them). */
    @Override
    public void close() {
        open.values().stream().filter(f -> f.isDone() && !f.isCompletedExceptionally()).map(CompletableFuture::join)
                .forEach(SshConnector::close);
        open.clear();
    }
}

package dev.runbook.transport.ssh;

import java.io.IOException;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;
import net.schmizz.sshj.common.KeyType;
import net.schmizz.sshj.common.SecurityUtils;
import net.schmizz.sshj.transport.verification.HostKeyVerifier;
import net.schmizz.sshj.transport.verification.OpenSSHKnownHosts;

/**
 * Strict host-key checking for ONE connection, as OpenSSH's {@code StrictHostKeyChecking=yes}
 * (or {@code accept-new} with the opt-in): a key listed for the host passes, a revoked or changed
 * key is always refused, an unknown key is refused unless new keys are accepted (then appended to
 * the file). Remembers why it refused, so the connection's error can say which.
 */
final class HostKeyPolicy implements HostKeyVerifier {
    enum Outcome { OK, UNKNOWN, CHANGED, REVOKED }

    private final KnownHostsFile file;
    private final boolean acceptNew;
    private volatile Outcome outcome = Outcome.OK;
    private volatile String fingerprint;

    HostKeyPolicy(KnownHostsFile file, boolean acceptNew) {
        this.file = file;
        this.acceptNew = acceptNew;
    }

    @Override
    public boolean verify(String hostname, int port, PublicKey key) {
        KeyType type = KeyType.fromKey(key);
        if (type == KeyType.UNKNOWN) {
            return false;
        }
        boolean listed = false;
        synchronized (file.matchingLock()) {
            KnownHostsFile.Selection s = file.select(hostname, port, key);
            if (s.revoked()) {
                return refuse(Outcome.REVOKED, key);
            }
            String adjusted = KnownHostsFile.adjusted(hostname, port);
            for (OpenSSHKnownHosts.KnownHostEntry e : s.entries()) {
                try {
                    if (e.appliesTo(type, adjusted)) {
                        listed = true;
                        if (e.verify(key)) {
                            return true;
                        }
                    }
                } catch (IOException ioe) {
                    return false;
                }
            }
        }
        if (listed) {
            return refuse(Outcome.CHANGED, key);
        }
        if (!acceptNew || !file.append(KnownHostsFile.adjusted(hostname, port), key)) {
            return refuse(Outcome.UNKNOWN, key);
        }
        fingerprint = SecurityUtils.getFingerprint(key);
        return true;
    }

    /** The key types listed for the host (the client then offers those first; sshj issue 526). */
    @Override
    public List<String> findExistingAlgorithms(String hostname, int port) {
        String adjusted = KnownHostsFile.adjusted(hostname, port);
        List<String> out = new ArrayList<>();
        synchronized (file.matchingLock()) {
            for (OpenSSHKnownHosts.KnownHostEntry e : file.select(hostname, port, null).entries()) {
                try {
                    if (e.appliesTo(adjusted)) {
                        if (e instanceof OpenSSHKnownHosts.HostEntry && e.getLine().startsWith("@cert-authority")) {
                            // only the CA's key type is known: any certificate type may follow
                            for (KeyType candidate : KeyType.values()) {
                                if (candidate.getParent() != null) {
                                    out.add(candidate.toString());
                                }
                            }
                        } else {
                            out.add(e.getType().toString());
                        }
                    }
                } catch (IOException ignored) {
                    // as sshj: a line it cannot match adds nothing
                }
            }
        }
        return out;
    }

    private boolean refuse(Outcome why, PublicKey key) {
        fingerprint = SecurityUtils.getFingerprint(key);
        outcome = why;
        return false;
    }

    Outcome outcome() {
        return outcome;
    }

    String fingerprint() {
        return fingerprint;
    }
}

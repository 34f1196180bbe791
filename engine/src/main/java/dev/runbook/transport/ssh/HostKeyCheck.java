package dev.runbook.transport.ssh;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.security.PublicKey;
import java.util.Base64;
import net.schmizz.sshj.common.Buffer;
import net.schmizz.sshj.common.KeyType;
import net.schmizz.sshj.common.SecurityUtils;
import net.schmizz.sshj.transport.verification.OpenSSHKnownHosts;

/**
 * Strict host-key checking against a known_hosts file. Remembers why a key was refused so the
 * error can say "unknown" (with the opt-in) or "CHANGED" (always fatal, never auto-accepted).
 */
final class HostKeyCheck extends OpenSSHKnownHosts {
    enum Outcome { OK, UNKNOWN, CHANGED }

    private final boolean acceptNew;
    private volatile Outcome outcome = Outcome.OK;
    private volatile String fingerprint;

    HostKeyCheck(File knownHosts, boolean acceptNew) throws IOException {
        super(knownHosts);
        this.acceptNew = acceptNew;
    }

    Outcome outcome() {
        return outcome;
    }

    String fingerprint() {
        return fingerprint;
    }

    @Override
    protected boolean hostKeyUnverifiableAction(String hostname, PublicKey key) {
        fingerprint = SecurityUtils.getFingerprint(key);
        if (!acceptNew) {
            outcome = Outcome.UNKNOWN;
            return false;
        }
        String blob = Base64.getEncoder().encodeToString(new Buffer.PlainBuffer().putPublicKey(key).getCompactData());
        String line = hostname + " " + KeyType.fromKey(key) + " " + blob + "\n";
        synchronized (HostKeyCheck.class) {
            try {
                if (khFile.getParentFile() != null) {
                    Files.createDirectories(khFile.getParentFile().toPath());
                }
                Files.writeString(khFile.toPath(), line, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            } catch (IOException e) {
                outcome = Outcome.UNKNOWN;
                return false;
            }
        }
        return true;
    }

    @Override
    protected boolean hostKeyChangedAction(String hostname, PublicKey key) {
        fingerprint = SecurityUtils.getFingerprint(key);
        outcome = Outcome.CHANGED;
        return false;
    }
}

package dev.runbook.transport.ssh;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.security.PublicKey;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import net.schmizz.sshj.common.Buffer;
import net.schmizz.sshj.common.KeyType;
import net.schmizz.sshj.common.SecurityUtils;
import net.schmizz.sshj.transport.verification.OpenSSHKnownHosts;

/**
 * Strict host-key checking against a known_hosts file. Remembers why a key was refused so the
 * error can say "unknown" (with the opt-in) or "CHANGED" (always fatal, never auto-accepted).
 *
 * <p>One check per connection, but the file is parsed once per run, not once per connection:
 * decoding a known_hosts line decodes its public key (an Ed25519 point decompression), and a run
 * on 100 hosts with a 100-line file would otherwise decode 10,000 keys. sshj's matching is reused
 * as is, over the shared entries, one connection at a time (a hashed entry's HMAC is not
 * thread-safe).
 */
final class HostKeyCheck extends OpenSSHKnownHosts {
    enum Outcome { OK, UNKNOWN, CHANGED }

    private final File file;
    private final boolean acceptNew;
    private volatile Outcome outcome = Outcome.OK;
    private volatile String fingerprint;

    HostKeyCheck(File knownHosts, boolean acceptNew) throws IOException {
        super(new java.io.StringReader(""));
        this.file = knownHosts;
        this.acceptNew = acceptNew;
        // read once, here (an unreadable file fails where the caller names it); the entries are shared
        entries.addAll(shared());
    }

    /** A known_hosts file's bytes and the entries parsed from them. */
    private record Parsed(byte[] content, List<KnownHostEntry> entries) {
    }

    /** Parsed files by path; a file whose bytes changed since (an accepted key, an edit) is parsed again. */
    private static final Map<String, Parsed> PARSED = new ConcurrentHashMap<>();
    private static final Object MATCHING = new Object();

    private List<KnownHostEntry> shared() throws IOException {
        if (!file.exists()) {
            return List.of();
        }
        byte[] now = Files.readAllBytes(file.toPath());
        Parsed p = PARSED.get(file.getAbsolutePath());
        if (p == null || !java.util.Arrays.equals(p.content(), now)) {
            p = new Parsed(now, List.copyOf(new OpenSSHKnownHosts(new java.io.StringReader(new String(now, StandardCharsets.UTF_8))).entries()));
            PARSED.put(file.getAbsolutePath(), p);
        }
        return p.entries();
    }

    @Override
    public boolean verify(String hostname, int port, PublicKey key) {
        synchronized (MATCHING) {
            return super.verify(hostname, port, key);
        }
    }

    @Override
    public List<String> findExistingAlgorithms(String hostname, int port) {
        synchronized (MATCHING) {
            return super.findExistingAlgorithms(hostname, port);
        }
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
                if (file.getParentFile() != null) {
                    Files.createDirectories(file.getParentFile().toPath());
                }
                Files.writeString(file.toPath(), line, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
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

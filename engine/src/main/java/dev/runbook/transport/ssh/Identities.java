package dev.runbook.transport.ssh;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import net.schmizz.sshj.SSHClient;
import net.schmizz.sshj.userauth.keyprovider.KeyProvider;

/**
 * The key files a login may offer: the host's identity file, then the usual {@code ~/.ssh} keys,
 * decoded once per run, not once per connection (decoding an Ed25519 key derives its public
 * point); encrypted ones with the run's passphrase.
 */
final class Identities {
    /** A decoded private key and the file state it was read from. */
    private record LoadedKey(long size, long modified, KeyProvider key) {
    }

    private static final Map<Path, LoadedKey> KEYS = new ConcurrentHashMap<>();

    private Identities() {
    }

    /** The passphrase for encrypted key files (--ask-key-pass or RUNBOOK_KEY_PASSPHRASE); never journaled. */
    private static volatile char[] passphrase = System.getenv("RUNBOOK_KEY_PASSPHRASE") == null ? null
            : System.getenv("RUNBOOK_KEY_PASSPHRASE").toCharArray();

    /** Sets the passphrase of encrypted key files for this run. */
    static void passphrase(char[] p) {
        passphrase = p;
    }

    /** The identity files to offer for {@code t}, the inventory's first, then the readable ~/.ssh defaults. */
    static List<Path> files(SshTarget t) throws IOException {
        List<Path> out = new ArrayList<>();
        if (t.identityFile() != null) {
            if (!Files.isReadable(t.identityFile())) {
                throw new IOException("identity_file " + t.identityFile() + " is not readable");
            }
            out.add(t.identityFile());
        }
        for (Path p : t.moreIdentityFiles()) {
            // as ssh: a configured key file that does not exist is skipped, not an error
            if (Files.isReadable(p) && !out.contains(p)) {
                out.add(p);
            }
        }
        for (String n : List.of("id_ed25519", "id_ecdsa", "id_rsa")) {
            Path p = Path.of(System.getProperty("user.home"), ".ssh", n);
            if (Files.isReadable(p) && !out.contains(p)) {
                out.add(p);
            }
        }
        return out;
    }

    /** The public key blob of an identity file: from its .pub beside it, else from the key when it decodes; null if neither. */
    static byte[] publicBlob(Path file) {
        byte[] pub = Authentication.readPub(Path.of(file + ".pub"));
        if (pub != null) {
            return pub;
        }
        LoadedKey k = KEYS.get(file);
        try {
            return k == null ? null : new net.schmizz.sshj.common.Buffer.PlainBuffer().putPublicKey(k.key().getPublic()).getCompactData();
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * A key file, decoded once per run. A key that cannot be decoded here (a passphrase, say) is
     * handed to sshj as a file, per connection, so authentication reports it as before.
     */
    static KeyProvider key(SSHClient c, Path file) throws IOException {
        long size = Files.size(file);
        long modified = Files.getLastModifiedTime(file).toMillis();
        LoadedKey k = KEYS.get(file);
        if (k != null && k.size() == size && k.modified() == modified) {
            return k.key();
        }
        char[] p = passphrase;
        KeyProvider fromFile = p == null ? c.loadKeys(file.toString()) : c.loadKeys(file.toString(), p.clone());
        try {
            KeyProvider decoded = new net.schmizz.sshj.userauth.keyprovider.KeyPairWrapper(
                    new java.security.KeyPair(fromFile.getPublic(), fromFile.getPrivate()));
            KEYS.put(file, new LoadedKey(size, modified, decoded));
            return decoded;
        } catch (IOException | RuntimeException e) {
            return fromFile;
        }
    }
}

package dev.runbook.transport.ssh;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.schmizz.sshj.SSHClient;
import net.schmizz.sshj.common.Buffer;
import net.schmizz.sshj.userauth.UserAuthException;
import net.schmizz.sshj.userauth.keyprovider.KeyProvider;
import net.schmizz.sshj.userauth.method.AuthMethod;
import net.schmizz.sshj.userauth.method.AuthPublickey;

/**
 * Logs a connection in with public keys, in OpenSSH's order: agent keys that match an identity
 * file (the inventory's, else the ~/.ssh defaults), then the agent's other keys (not with
 * {@code IdentitiesOnly}), then the identity files' own keys not already offered.
 */
final class Authentication {
    private Authentication() {
    }

    static void login(SSHClient c, SshTarget t) throws IOException {
        List<Path> files = Identities.files(t);
        Agent agent = t.agentSocket() == null ? null : new Agent(t.agentSocket());
        List<Agent.Identity> held = List.of();
        String agentProblem = null;
        if (agent != null) {
            // asked per login, not cached: a round trip on a local socket, and the agent's keys may change during a run
            try {
                held = agent.identities();
            } catch (IOException e) {
                agentProblem = e.getMessage();
            }
        }
        List<AuthMethod> methods = new ArrayList<>();
        List<byte[]> offered = new ArrayList<>();
        for (Path f : held.isEmpty() ? List.<Path>of() : files) {
            byte[] pub = Identities.publicBlob(f);
            for (Agent.Identity id : held) {
                if (pub != null && Arrays.equals(pub, id.blob())) {
                    methods.add(new Agent.Auth(agent, id));
                    offered.add(id.blob());
                }
            }
        }
        if (!t.identitiesOnly()) {
            for (Agent.Identity id : held) {
                if (offered.stream().noneMatch(b -> Arrays.equals(b, id.blob()))) {
                    methods.add(new Agent.Auth(agent, id));
                    offered.add(id.blob());
                }
            }
        }
        List<String> unreadable = new ArrayList<>();
        for (Path f : files) {
            byte[] pub = offered.isEmpty() ? null : Identities.publicBlob(f);
            if (pub != null && offered.stream().anyMatch(b -> Arrays.equals(b, pub))) {
                continue;
            }
            try {
                KeyProvider k = Identities.key(c, f);
                k.getPrivate(); // an encrypted key without its passphrase fails here, not deep inside the login
                methods.add(new AuthPublickey(k));
            } catch (IOException | RuntimeException e) {
                unreadable.add(f + " cannot be read (encrypted? give its passphrase with --ask-key-pass or RUNBOOK_KEY_PASSPHRASE): "
                        + e.getMessage());
            }
        }
        if (methods.isEmpty()) {
            throw new UserAuthException("no key to offer" + detail(agent, agentProblem, unreadable));
        }
        try {
            c.auth(t.user(), methods);
        } catch (UserAuthException e) {
            throw new UserAuthException(methods.size() + " key(s) refused" + detail(agent, agentProblem, unreadable), e);
        }
    }

    private static String detail(Agent agent, String agentProblem, List<String> unreadable) {
        StringBuilder sb = new StringBuilder();
        if (agentProblem != null) {
            sb.append("; ssh-agent at ").append(agent.socket()).append(" did not answer: ").append(agentProblem);
        } else if (agent == null) {
            sb.append("; no ssh-agent (SSH_AUTH_SOCK is not set)");
        }
        for (String u : unreadable) {
            sb.append("; ").append(u);
        }
        return sb.toString();
    }

    /** What to check when the login was refused. */
    static String hint(SshTarget t) {
        return "check the key: identity_file / ansible_ssh_private_key_file in the inventory ("
                + (t.identityFile() == null ? "not set, ~/.ssh defaults used" : t.identityFile())
                + "), the keys in ssh-agent (ssh-add -l), and the host's ~" + t.user() + "/.ssh/authorized_keys";
    }

    /** The public key blob of a {@code .pub} text line (type, base64, comment), or null. */
    static byte[] blobOfPubLine(String line) {
        String[] f = line.trim().split("\\s+");
        if (f.length < 2) {
            return null;
        }
        try {
            byte[] blob = java.util.Base64.getDecoder().decode(f[1]);
            new Buffer.PlainBuffer(blob).readPublicKey();
            return blob;
        } catch (Buffer.BufferException | RuntimeException e) {
            return null;
        }
    }

    static byte[] readPub(Path pub) {
        try {
            return Files.isReadable(pub) ? blobOfPubLine(Files.readString(pub)) : null;
        } catch (IOException e) {
            return null;
        }
    }
}

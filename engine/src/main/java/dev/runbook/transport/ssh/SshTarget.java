package dev.runbook.transport.ssh;

import java.nio.file.Path;
import java.util.List;

/**
 * Where and how to reach one host over SSH, resolved once (inventory, then ssh config, then
 * defaults) before anything connects.
 *
 * @param identityFile key to offer first (null: the ~/.ssh defaults)
 * @param knownHosts known_hosts file to check the host key against (null: ~/.ssh/known_hosts)
 * @param become "sudo" to run commands through sudo, or null
 * @param persistentShell run commands through one long-lived shell per host ({@link RemoteShell});
 *     false (inventory {@code persistent_shell: false}): one SSH session per command
 * @param jumps the jump hosts to pass through, first to last (empty: a direct connection)
 * @param becomeUser the user sudo runs commands as (null: root)
 * @param becomePassword sudo's password (null: none given; sudo must then need none)
 * @param identitiesOnly offer only the identity file, not the agent's other keys (OpenSSH's IdentitiesOnly)
 * @param agentSocket the ssh-agent to ask for keys (SSH_AUTH_SOCK, or IdentityAgent; null: none)
 * @param moreIdentityFiles key files to offer after {@code identityFile} (IdentityFile lines of the ssh config)
 */
public record SshTarget(String name, String address, int port, String user, Path identityFile, Path knownHosts,
                        String become, boolean persistentShell, List<Jump> jumps, String becomeUser, char[] becomePassword,
                        boolean identitiesOnly, Path agentSocket, List<Path> moreIdentityFiles) {
    /** The settings the lab and most tests need: direct, no sudo password. */
    public SshTarget(String name, String address, int port, String user, Path identityFile, Path knownHosts,
                     String become, boolean persistentShell) {
        this(name, address, port, user, identityFile, knownHosts, become, persistentShell, List.of(), null, null, false, null, List.of());
    }

    /** One jump host: {@code [user@]host[:port]} of a ProxyJump list, with its own key and known_hosts. */
    public record Jump(String user, String address, int port) {
        /** user@host:port, the key one shared connection per run is kept under. */
        public String key() {
            return user + "@" + address + ":" + port;
        }
    }

    /** How the host is reached, for the plan and the journal: "direct" or "via a -> b". */
    public String route() {
        if (jumps.isEmpty()) {
            return "direct";
        }
        return "via " + String.join(" -> ", jumps.stream().map(Jump::key).toList());
    }
}

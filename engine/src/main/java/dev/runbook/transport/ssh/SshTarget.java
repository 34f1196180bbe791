package dev.runbook.transport.ssh;

import java.nio.file.Path;

/**
 * Where and how to reach one host over SSH.
 *
 * @param identityFile key to offer first (null: the ~/.ssh defaults)
 * @param knownHosts known_hosts file to check the host key against (null: ~/.ssh/known_hosts)
 * @param become "sudo" to run commands through sudo -n, or null
 * @param persistentShell run commands through one long-lived shell per host ({@link RemoteShell});
 *     false (inventory {@code persistent_shell: false}): one SSH session per command
 */
public record SshTarget(String name, String address, int port, String user, Path identityFile, Path knownHosts,
                        String become, boolean persistentShell) {
}

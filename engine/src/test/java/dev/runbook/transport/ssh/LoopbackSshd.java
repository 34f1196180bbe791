package dev.runbook.transport.ssh;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real OpenSSH sshd on 127.0.0.1 with its own host key and a client key, for transport tests.
 * Needs /usr/sbin/sshd (Debian openssh-server); stopped (by its own pid) on close.
 */
final class LoopbackSshd implements AutoCloseable {
    final Path dir;
    final int port;
    final Path clientKey;
    final Path knownHosts;
    final String user = System.getProperty("user.name");
    private final Process process;

    LoopbackSshd(Path dir) throws IOException, InterruptedException {
        this(dir, List.of());
    }

    /** With extra sshd_config lines (e.g. the algorithms it accepts). */
    LoopbackSshd(Path dir, List<String> extraConfig) throws IOException, InterruptedException {
        this.dir = dir;
        Path sshd = Path.of("/usr/sbin/sshd");
        if (!Files.isExecutable(sshd)) {
            throw new IllegalStateException("these tests need a real sshd: apt-get install -y openssh-server");
        }
        Files.createDirectories(Path.of("/run/sshd"));
        keygen(dir.resolve("host_key"));
        clientKey = dir.resolve("client_key");
        keygen(clientKey);
        Files.copy(dir.resolve("client_key.pub"), dir.resolve("authorized_keys"));
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        knownHosts = dir.resolve("known_hosts");
        Files.writeString(knownHosts, "[127.0.0.1]:" + port + " " + Files.readString(dir.resolve("host_key.pub")).trim() + "\n");
        Path config = dir.resolve("sshd_config");
        Files.writeString(config, String.join("\n",
                "Port " + port, "ListenAddress 127.0.0.1", "HostKey " + dir.resolve("host_key"),
                "AuthorizedKeysFile " + dir.resolve("authorized_keys"), "StrictModes no", "PasswordAuthentication no",
                "KbdInteractiveAuthentication no", "UsePAM no", "PidFile none", "PermitRootLogin prohibit-password", "UseDNS no",
                "Subsystem sftp /usr/lib/openssh/sftp-server",
                // Debian's bash sources ~/.bashrc for ssh commands when SHLVL < 2; a developer's slow
                // .bashrc (pyenv, nvm) would otherwise add a second to every command of these tests
                "SetEnv SHLVL=1", String.join("\n", extraConfig), ""));
        process = new ProcessBuilder(sshd.toString(), "-D", "-e", "-f", config.toString()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("sshd.log").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                break;
            } catch (IOException notYet) {
                if (!process.isAlive() || System.nanoTime() > deadline) {
                    throw new IllegalStateException("sshd did not start: " + Files.readString(dir.resolve("sshd.log")));
                }
                Thread.sleep(20);
            }
        }
    }

    private static void keygen(Path key) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(List.of("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key.toString())).inheritIO().start();
        if (p.waitFor() != 0) {
            throw new IllegalStateException("ssh-keygen failed");
        }
    }

    /** Lets {@code publicKeyFile}'s key log in too. */
    void authorize(Path publicKeyFile) throws IOException {
        Files.writeString(dir.resolve("authorized_keys"), Files.readString(publicKeyFile), java.nio.file.StandardOpenOption.APPEND);
    }

    /** Lines of sshd's log (-e: to the log file). */
    String log() throws IOException {
        return Files.readString(dir.resolve("sshd.log"));
    }

    SshTarget target(Path knownHostsFile) {
        return new SshTarget("test-host", "127.0.0.1", port, user, clientKey, knownHostsFile, null, true);
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}

package dev.runbook.transport.ssh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runbook.transport.ExecOptions;
import dev.runbook.transport.TransportException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Logins with keys held only by a real OpenSSH ssh-agent, against a real sshd that refuses SHA-1
 * RSA signatures ({@code ssh-rsa}): an RSA key must sign with rsa-sha2-256/512.
 */
class AgentTest {
    @TempDir
    static Path dir;
    static LoopbackSshd sshd;
    static Process agent;
    static Path socket;

    @BeforeAll
    static void start() throws Exception {
        sshd = new LoopbackSshd(dir, List.of("PubkeyAcceptedAlgorithms -ssh-rsa", "LogLevel VERBOSE"));
        for (String type : List.of("rsa", "ecdsa", "ed25519")) {
            Path k = dir.resolve("agent_" + type);
            run("ssh-keygen", "-q", "-t", type, "-N", "", "-C", "agent-" + type, "-f", k.toString());
        }
        socket = dir.resolve("agent.sock");
        agent = new ProcessBuilder("ssh-agent", "-D", "-a", socket.toString()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("agent.log").toFile()).start();
        for (int i = 0; i < 200 && !Files.exists(socket); i++) {
            Thread.sleep(10);
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (agent != null) {
            agent.destroy();
            agent.waitFor(5, TimeUnit.SECONDS);
        }
        if (sshd != null) {
            sshd.close();
        }
    }

    private static void run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), String.join(" ", cmd) + ": " + out);
    }

    /** A target with NO key file of its own: only the agent can log it in. */
    private static SshTarget viaAgent(Path agentSocket) {
        SshTarget t = sshd.target(sshd.knownHosts);
        return new SshTarget(t.name(), t.address(), t.port(), t.user(), null, t.knownHosts(), null, true, List.of(), null, null, false, agentSocket, List.of());
    }

    @Test
    void eachKeyTypeLogsInFromTheAgentAndRsaSignsWithSha2() throws Exception {
        for (String type : List.of("rsa", "ecdsa", "ed25519")) {
            ProcessBuilder del = new ProcessBuilder("ssh-add", "-D");
            del.environment().put("SSH_AUTH_SOCK", socket.toString());
            del.start().waitFor();
            ProcessBuilder add = new ProcessBuilder("ssh-add", dir.resolve("agent_" + type).toString()).redirectErrorStream(true);
            add.environment().put("SSH_AUTH_SOCK", socket.toString());
            Process q = add.start();
            assertEquals(0, q.waitFor(), new String(q.getInputStream().readAllBytes()));
            sshd.authorize(dir.resolve("agent_" + type + ".pub"));
            assertEquals(1, new Agent(socket).identities().size());
            try (SshTransport t = SshTransport.connect(viaAgent(socket), false, 5000)) {
                assertEquals("ok\n", t.exec("echo ok", ExecOptions.of(Duration.ofSeconds(10))).stdout(), type);
            } catch (TransportException e) {
                throw new AssertionError(type + " key: " + e.getMessage() + "\nsshd said:\n" + sshd.log(), e);
            }
        }
        // sshd's own word for what was accepted: the RSA login was an rsa-sha2 signature, never ssh-rsa
        String log = sshd.log();
        assertTrue(log.matches("(?s).*Accepted publickey for \\S+ from \\S+ port \\d+ ssh2: RSA SHA256.*"), log);
        assertTrue(log.contains("ECDSA") && log.contains("ED25519"), log);
    }

    @Test
    void aDeadAgentIsNamedWhenNoOtherKeyLogsIn() {
        Path dead = dir.resolve("no-agent-here.sock");
        TransportException e = assertThrows(TransportException.class, () -> SshTransport.connect(viaAgent(dead), false, 5000));
        assertTrue(e.getMessage().contains("ssh-agent at " + dead + " did not answer"), e.getMessage());
    }

    @Test
    void withoutAnAgentTheMessageSaysThereIsNone() {
        TransportException e = assertThrows(TransportException.class, () -> SshTransport.connect(viaAgent(null), false, 5000));
        assertTrue(e.getMessage().contains("authentication as " + sshd.user + " failed"), e.getMessage());
        assertTrue(e.getMessage().contains("no ssh-agent"), e.getMessage());
        assertTrue(e.hint().contains("ssh-add -l"), e.hint());
    }
}

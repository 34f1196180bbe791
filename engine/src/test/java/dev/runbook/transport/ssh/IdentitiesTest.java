package dev.runbook.transport.ssh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runbook.transport.ExecOptions;
import dev.runbook.transport.TransportException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Key files a login offers: an encrypted one opens with the run's passphrase, and says why when it cannot. */
class IdentitiesTest {
    @TempDir
    static Path dir;
    static LoopbackSshd sshd;
    static Path locked;

    @BeforeAll
    static void start() throws Exception {
        sshd = new LoopbackSshd(dir);
        locked = dir.resolve("locked_key");
        Process p = new ProcessBuilder("ssh-keygen", "-q", "-t", "ed25519", "-N", "s3cret phrase", "-f", locked.toString()).start();
        assertEquals(0, p.waitFor());
        sshd.authorize(dir.resolve("locked_key.pub"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (sshd != null) {
            sshd.close();
        }
    }

    @AfterEach
    void forget() {
        Identities.passphrase(null);
    }

    private static SshTarget withKey(Path key) {
        SshTarget t = sshd.target(sshd.knownHosts);
        return new SshTarget(t.name(), t.address(), t.port(), t.user(), key, t.knownHosts(), null, true, List.of(), null, null,
                true, null, List.of());
    }

    @Test
    void anEncryptedKeyOpensWithTheRunsPassphrase() throws Exception {
        SshTransport.keyPassphrase("s3cret phrase".toCharArray());
        try (SshTransport t = SshTransport.connect(withKey(locked), false, 5000)) {
            assertEquals("ok\n", t.exec("echo ok", ExecOptions.of(Duration.ofSeconds(10))).stdout());
        }
    }

    @Test
    void withoutThePassphraseTheLoginFailsNamingTheKeyFile() {
        TransportException e = assertThrows(TransportException.class, () -> SshTransport.connect(withKey(locked), false, 5000));
        assertTrue(e.getMessage().contains("authentication as " + sshd.user + " failed"), e.getMessage());
        assertTrue(e.getMessage().contains(locked + " cannot be read (encrypted? give its passphrase with --ask-key-pass"), e.getMessage());
    }
}

package dev.runbook.transport.ssh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runbook.parse.Hashes;
import dev.runbook.template.Templates;
import dev.runbook.transport.ExecOptions;
import dev.runbook.transport.ExecResult;
import dev.runbook.transport.TransportException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The sshj transport against a real OpenSSH sshd that the test starts on loopback. */
class SshTransportTest {
    @TempDir
    static Path dir;
    static LoopbackSshd sshd;
    static SshTransport ssh;
    /** The same host with one SSH session per command (persistent_shell: false, or where the shell cannot run). */
    static SshTransport sessions;

    @BeforeAll
    static void start() throws Exception {
        sshd = new LoopbackSshd(dir);
        ssh = SshTransport.connect(sshd.target(sshd.knownHosts), false, 5000);
        assertTrue(ssh.startPersistentShell(), "the loopback host can run the persistent shell");
        SshTarget t = sshd.target(sshd.knownHosts);
        sessions = SshTransport.connect(new SshTarget(t.name(), t.address(), t.port(), t.user(), t.identityFile(), t.knownHosts(),
                null, false), false, 5000);
    }

    static SshTransport via(String mode) {
        return mode.equals("shell") ? ssh : sessions;
    }

    @AfterAll
    static void stop() throws Exception {
        if (ssh != null) {
            ssh.close();
        }
        if (sessions != null) {
            sessions.close();
        }
        if (sshd != null) {
            sshd.close();
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"shell", "sessions"})
    void execReturnsStdoutStderrAndExitCode(String mode) {
        ExecResult r = via(mode).exec("echo out; echo err >&2; exit 3", ExecOptions.of(Duration.ofSeconds(10)));
        assertEquals(3, r.exitCode());
        assertEquals("out\n", r.stdout());
        assertEquals("err\n", r.stderr(), "the engine's process-group marker is not part of stderr");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"shell", "sessions"})
    void hostileValuesArriveAsOneLiteralArgument(String mode) {
        for (String v : List.of("it's", "a; touch /tmp/rb-pwned", "$(id)", "`id`", "two\nlines", "--force-new-cluster", "")) {
            String cmd = Templates.shell("printf '%s|' {{v}}", null).render(Map.of("v", v), null);
            ExecResult r = via(mode).exec(cmd, ExecOptions.of(Duration.ofSeconds(10)));
            assertEquals(v + "|", r.stdout(), cmd);
        }
        assertFalse(Files.exists(Path.of("/tmp/rb-pwned")));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"shell", "sessions"})
    void largeOutputOnBothStreamsDoesNotDeadlockAndKeepsATail(String mode) {
        ExecResult r = via(mode).exec("head -c 3000000 /dev/zero | tr '\\0' a; head -c 3000000 /dev/zero | tr '\\0' b >&2; echo END",
                new ExecOptions(Duration.ofSeconds(30), () -> false, 4096));
        assertEquals(0, r.exitCode());
        assertEquals(3_000_004, r.stdoutBytes());
        assertTrue(r.stdout().endsWith("aaaEND\n"), r.stdout().substring(r.stdout().length() - 20));
        assertTrue(r.stdout().length() < 5000, "only the tail is kept");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"shell", "sessions"})
    void timeoutKillsTheWholeRemoteProcessGroup(String mode) throws Exception {
        Path pidFile = dir.resolve("child.pid");
        ExecResult r = via(mode).exec("sleep 300 & echo $! > " + pidFile + "; wait", ExecOptions.of(Duration.ofMillis(500)));
        assertTrue(r.timedOut());
        long pid = Long.parseLong(Files.readString(pidFile).trim());
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "background child of the command was killed");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"shell", "sessions"})
    void manyConcurrentCommandsShareOneConnection(String mode) {
        List<CompletableFuture<ExecResult>> all = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            int n = i;
            all.add(CompletableFuture.supplyAsync(() -> via(mode).exec("echo " + n, ExecOptions.of(Duration.ofSeconds(20)))));
        }
        for (int i = 0; i < 24; i++) {
            assertEquals(i + "\n", all.get(i).join().stdout());
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"shell", "sessions"})
    void theRunLockIsTakenOnceReportsItsHolderAndLeavesTheShellAsItWas(String mode) throws Exception {
        SshTransport t = via(mode);
        String lock = dir.resolve("locks-" + mode + "/a b/lock").toString(); // a missing directory, with a space
        dev.runbook.lock.Holder a = new dev.runbook.lock.Holder("run-a", "r.yml", "alice", "ctl", 1, "now");
        dev.runbook.lock.Holder b = new dev.runbook.lock.Holder("run-b", "r.yml", "bob", "ctl", 2, "now");
        assertTrue(dev.runbook.lock.HostLock.tryAcquire(t, lock, a).acquired());
        dev.runbook.lock.HostLock.Attempt second = dev.runbook.lock.HostLock.tryAcquire(t, lock, b);
        assertFalse(second.acquired(), "never two holders");
        assertEquals("run-a", second.holder().run());
        assertEquals(a.json() + "\n", Files.readString(Path.of(lock)));
        // in the shell's own process (I frames): noclobber is off again, the shell still runs commands
        ExecResult r = t.exec("set -o | grep -w noclobber", ExecOptions.of(Duration.ofSeconds(10)));
        assertEquals(0, r.exitCode(), r.stderr());
        assertTrue(r.stdout().matches("noclobber\\s+off\\s*"), r.stdout());
        Path file = Files.createFile(dir.resolve("not-a-dir-" + mode));
        TransportException e = assertThrows(TransportException.class,
                () -> dev.runbook.lock.HostLock.tryAcquire(t, file + "/lock", a));
        assertTrue(e.getMessage().contains("cannot use the run lock file"), e.getMessage());
        assertEquals("ok\n", t.exec("echo ok", ExecOptions.of(Duration.ofSeconds(10))).stdout(), "the shell survived the failed take");
    }

    @Test
    void theLoopbackHostRunsCommandsThroughThePersistentShell() {
        assertTrue(ssh.persistentShell(), "bash, mktemp and mkfifo are there: the shell must have started");
        SshTransport lazy = SshTransport.connect(sshd.target(sshd.knownHosts), false, 5000);
        try {
            assertEquals("1\n", lazy.exec("echo 1", ExecOptions.of(Duration.ofSeconds(10))).stdout());
            assertFalse(lazy.persistentShell(), "one command: no shell started");
            assertEquals("2\n", lazy.exec("echo 2", ExecOptions.of(Duration.ofSeconds(10))).stdout());
        } finally {
            lazy.close();
        }
        assertFalse(sessions.persistentShell());
    }

    @Test
    void scriptsMayTrapExitExecOrKillThemselvesAndStillReportTheirExitCode() {
        ExecOptions o = ExecOptions.of(Duration.ofSeconds(10));
        ExecResult trapped = ssh.exec("trap 'echo cleanup' EXIT; echo work; exit 4", o);
        assertEquals(4, trapped.exitCode());
        assertEquals("work\ncleanup\n", trapped.stdout());
        ExecResult exec = ssh.exec("echo before; exec sh -c 'echo replaced; exit 6'", o);
        assertEquals(6, exec.exitCode());
        assertEquals("before\nreplaced\n", exec.stdout());
        ExecResult errexit = ssh.exec("echo one\nfalse\necho never", o);
        assertEquals(1, errexit.exitCode(), "errexit as with bash -e");
        assertEquals("one\n", errexit.stdout());
        ExecResult pipefail = ssh.exec("false | true", o);
        assertEquals(1, pipefail.exitCode(), "pipefail as with bash -o pipefail");
        ExecResult self = ssh.exec("kill -KILL $BASHPID", o);
        assertEquals(137, self.exitCode());
    }

    @Test
    void dollarDollarIsTheCommandsOwnShellAndNothingLeaksBetweenCommands() {
        ExecOptions o = ExecOptions.of(Duration.ofSeconds(10));
        String[] pids = ssh.exec("echo $$ $BASHPID", o).stdout().trim().split(" ");
        assertEquals(pids[0], pids[1], "a script reading $$ gets a bash of its own, as with a session per command");
        String probe = "echo ${RB_LEAK:-unset} $(pwd) $(umask) $(type -t f || echo none)";
        String before = ssh.exec(probe, o).stdout();
        assertTrue(before.startsWith("unset /") && before.endsWith(" none\n"), before);
        assertEquals(0, ssh.exec("export RB_LEAK=1; cd /proc; umask 077; f() { :; }", o).exitCode());
        assertEquals(before, ssh.exec(probe, o).stdout(), "each command starts clean: no variable, directory, umask or function leaks");
    }

    @Test
    void everyByteOfAScriptArrivesAsWritten() {
        String weird = "tab\there 'single' \"double\" back\\slash $HOME `x` \u00e9\u4e2d \u0001\u001f\u007f end";
        ExecResult r = ssh.exec("cat <<'EOF'\n" + weird + "\nEOF", ExecOptions.of(Duration.ofSeconds(10)));
        assertEquals(0, r.exitCode(), r.stderr());
        assertEquals(weird + "\n", r.stdout());
    }

    @Test
    void uploadDownloadAndReadKeepEveryByte() throws Exception {
        byte[] data = new byte[3 * 1024 * 1024 + 17];
        new Random(42).nextBytes(data);
        Path local = dir.resolve("blob");
        Files.write(local, data);
        Path remote = dir.resolve("remote-blob");
        ssh.upload(local, remote.toString());
        Path back = dir.resolve("back");
        ssh.download(remote.toString(), back);
        assertEquals(Hashes.sha256(data), Hashes.sha256(back));
        ssh.upload("hello".getBytes(), dir.resolve("small").toString());
        assertEquals("hello", new String(ssh.read(dir.resolve("small").toString())));
        // bytes beyond one request (OpenSSH's sftp-server drops a message over 256 KiB): split, in order
        byte[] big = java.util.Arrays.copyOf(data, 1024 * 1024 + 3);
        ssh.upload(big, dir.resolve("big").toString());
        assertEquals(Hashes.sha256(big), Hashes.sha256(ssh.read(dir.resolve("big").toString())));
        // the local file's mtime travels with it, as with sshj's own upload
        assertEquals(Files.getLastModifiedTime(local).toMillis() / 1000, Files.getLastModifiedTime(remote).toMillis() / 1000);
    }

    @Test
    void openSshStatesItsWriteLimitAndWritesUseIt() throws Exception {
        // OpenSSH 8.6+ answers limits@openssh.com: 255 KiB writes instead of sshj's ~32 KiB
        assertEquals(SftpWrites.MAX_WRITE, ssh.sftpWriteSize());
        assertEquals(SftpWrites.SAFE_WRITE, SftpWrites.chosen(0), "a server that states no limit gets the size every server takes");
        assertEquals(SftpWrites.SAFE_WRITE, SftpWrites.chosen(1024), "never below the safe size");
        assertEquals(100_000, SftpWrites.chosen(100_000));
        assertEquals(SftpWrites.MAX_WRITE, SftpWrites.chosen(1L << 32), "never above 255 KiB, whatever a server says");
        // sshj sends one more write than it leaves unconfirmed: ~512 KiB in flight at either size
        assertEquals(1, SftpWrites.unconfirmed(SftpWrites.MAX_WRITE), "two 255 KiB writes in flight");
        assertEquals(15, SftpWrites.unconfirmed(SftpWrites.SAFE_WRITE), "sixteen small writes in flight");
        assertEquals(1, SftpWrites.unconfirmed(SftpWrites.IN_FLIGHT_BYTES), "never fewer than two writes in flight");
    }

    @Test
    void unknownHostKeyIsRefusedUnlessAcceptedExplicitly() throws Exception {
        Path empty = dir.resolve("empty_known_hosts");
        Files.writeString(empty, "");
        TransportException e = assertThrows(TransportException.class, () -> SshTransport.connect(sshd.target(empty), false, 5000));
        assertTrue(e.getMessage().contains("unknown host key"), e.getMessage());
        assertTrue(e.hint().contains("--accept-new-host-keys"), e.hint());
        SshTransport.connect(sshd.target(empty), true, 5000).close();
        assertTrue(Files.readString(empty).startsWith("[127.0.0.1]:" + sshd.port + " ssh-ed25519 "), Files.readString(empty));
        SshTransport.connect(sshd.target(empty), false, 5000).close();
    }

    @Test
    void changedHostKeyIsAlwaysRefused() throws Exception {
        Path other = dir.resolve("other_key");
        new ProcessBuilder("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", other.toString()).start().waitFor();
        Path wrong = dir.resolve("wrong_known_hosts");
        Files.writeString(wrong, "[127.0.0.1]:" + sshd.port + " " + Files.readString(dir.resolve("other_key.pub")).trim() + "\n");
        for (boolean accept : new boolean[] {false, true}) {
            TransportException e = assertThrows(TransportException.class, () -> SshTransport.connect(sshd.target(wrong), accept, 5000));
            assertTrue(e.getMessage().contains("HOST KEY CHANGED"), e.getMessage());
            assertEquals("test-host", e.host());
        }
    }

    @Test
    void aKnownHostsFileEditedBetweenConnectionsOfOneProcessIsReadAgain() throws Exception {
        // parsed once and shared by every connection of a run: an edit must still be seen at once
        Path kh = dir.resolve("edited_known_hosts");
        String good = Files.readString(sshd.knownHosts);
        Files.writeString(kh, good);
        SshTransport.connect(sshd.target(kh), false, 5000).close();
        Path other = dir.resolve("edited_other_key");
        new ProcessBuilder("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", other.toString()).start().waitFor();
        // same length as the good line: only the bytes differ, written within the same millisecond
        Files.writeString(kh, "[127.0.0.1]:" + sshd.port + " " + Files.readString(dir.resolve("edited_other_key.pub")).trim().replaceAll(" \\S+$", "") + "\n");
        TransportException e = assertThrows(TransportException.class, () -> SshTransport.connect(sshd.target(kh), false, 5000));
        assertTrue(e.getMessage().contains("HOST KEY CHANGED"), e.getMessage());
        Files.writeString(kh, good);
        SshTransport.connect(sshd.target(kh), false, 5000).close();
    }

    @Test
    void unreachableHostIsNamed() throws Exception {
        int closed;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        SshTarget t = new SshTarget("ghost", "127.0.0.1", closed, sshd.user, sshd.clientKey, sshd.knownHosts, null, true);
        TransportException e = assertThrows(TransportException.class, () -> SshTransport.connect(t, false, 2000));
        assertTrue(e.getMessage().startsWith("ghost: unreachable"), e.getMessage());
    }
}

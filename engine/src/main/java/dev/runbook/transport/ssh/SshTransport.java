package dev.runbook.transport.ssh;

import dev.runbook.transport.ExecOptions;
import dev.runbook.transport.ExecResult;
import dev.runbook.transport.Transport;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import net.schmizz.sshj.SSHClient;

/**
 * One host over SSH (sshj): ONE authenticated connection for the whole run, SFTP on a shared
 * channel ({@link SftpFiles}, or {@link RootFiles} with become), and commands run by one long-lived
 * shell on the host ({@link RemoteShell}) or, where that shell cannot run (no bash, a read-only
 * temp dir ...), each in a session of its own ({@link SessionExec}). This class only chooses.
 */
public final class SshTransport implements dev.runbook.transport.Shortcuts {
    /** Every command runs with errexit and pipefail: a failing line of a multi-line script fails the step. */
    public static final String BASH = SessionExec.BASH;

    private final SshTarget target;
    private final SSHClient client;
    private final Privilege privilege;
    private final SessionExec sessions;
    private final SftpFiles files;
    /** The same files as root, for a login with become. */
    private final RootFiles rootFiles;
    private final PortForwards forwards;
    private volatile RemoteShell shell;
    /** Started on the host's second command: a host that runs one command never pays for the shell. */
    private final AtomicInteger commands = new AtomicInteger();
    private volatile CompletableFuture<RemoteShell> shellStart;

    private SshTransport(SshTarget target, SSHClient client, Privilege privilege) {
        this.target = target;
        this.client = client;
        this.privilege = privilege;
        this.sessions = new SessionExec(target.name(), client, privilege);
        this.files = new SftpFiles(target.name(), target.user(), client);
        this.rootFiles = new RootFiles(target.name(), files, sessions, privilege, this::exec);
        this.forwards = new PortForwards(target.name(), client);
    }

    /** Connects and authenticates directly; every failure is a {@link dev.runbook.transport.TransportException} with a hint. */
    public static SshTransport connect(SshTarget t, boolean acceptNewHostKeys, int connectTimeoutMillis) {
        return connect(t, acceptNewHostKeys, connectTimeoutMillis, null);
    }

    /**
     * Connects (through {@code jumps} when the target has a route of jump hosts), logs in, and with
     * {@code become} checks sudo once; every failure is a {@link dev.runbook.transport.TransportException}
     * naming the host, with a hint.
     */
    public static SshTransport connect(SshTarget t, boolean acceptNewHostKeys, int connectTimeoutMillis, JumpHosts jumps) {
        if (!t.jumps().isEmpty() && jumps == null) {
            throw new IllegalArgumentException("a target with jump hosts needs the run's JumpHosts");
        }
        SSHClient via = t.jumps().isEmpty() ? null : jumps.through(t);
        String viaName = t.jumps().isEmpty() ? null : t.jumps().get(t.jumps().size() - 1).key();
        SSHClient c = SshConnector.connect(t, acceptNewHostKeys, connectTimeoutMillis, via, viaName);
        try {
            Privilege p = t.become() != null ? Privilege.probe(t.name(), c, t.becomeUser(), t.becomePassword()) : Privilege.NONE;
            return new SshTransport(t, c, p);
        } catch (RuntimeException e) {
            SshConnector.close(c);
            throw e;
        }
    }

    /** The passphrase of encrypted key files for this run (--ask-key-pass); RUNBOOK_KEY_PASSPHRASE otherwise. */
    public static void keyPassphrase(char[] passphrase) {
        Identities.passphrase(passphrase);
    }

    /** See {@link SshConfig#prewarm}. */
    public static void prewarm() {
        SshConfig.prewarm();
    }

    /**
     * The persistent shell when it runs. The host's second command starts it in the background
     * (sessions serve until it is ready).
     */
    private RemoteShell shell() {
        RemoteShell rs = shell;
        if (rs != null || !shellPossible()) {
            return rs;
        }
        if (commands.incrementAndGet() >= 2 && shellStart == null) {
            CompletableFuture<RemoteShell> mine = claimShellStart();
            if (mine != null) {
                Thread starter = new Thread(() -> launchShell(mine), "remote-shell-start-" + target.name());
                starter.setDaemon(true);
                starter.start();
            }
        }
        return shell;
    }

    /** Three or more commands planned: start the shell now, while other hosts are still connecting. */
    @Override
    public void expectCommands(int count) {
        if (count >= 3 && shellPossible()) {
            startPersistentShell();
        }
    }

    /**
     * Starts the persistent shell now, on the calling thread, and waits for it; true when it runs.
     * (The connecting thread waits for it anyway: a thread of its own per host cost a 100-host run
     * 100 thread starts.)
     */
    boolean startPersistentShell() {
        commands.addAndGet(2);
        if (!shellPossible()) {
            return false;
        }
        CompletableFuture<RemoteShell> mine = claimShellStart();
        if (mine != null) {
            launchShell(mine);
        }
        return shellStart.join() != null;
    }

    /**
     * Whether this host may use the persistent shell: not with {@code persistent_shell: false}, nor
     * through sudo as a user other than root (the shell's output files live in the login user's
     * private dir, which only root can write into besides that user).
     */
    private boolean shellPossible() {
        return target.persistentShell() && (!privilege.active() || privilege.user().equals("root"));
    }

    /** The shell's start for the caller to do, or null when another caller has it. */
    private synchronized CompletableFuture<RemoteShell> claimShellStart() {
        if (shellStart != null) {
            return null;
        }
        shellStart = new CompletableFuture<>();
        return shellStart;
    }

    /** Starts the shell (null when the host cannot run it) and completes the claimed start. */
    private void launchShell(CompletableFuture<RemoteShell> claimed) {
        RemoteShell started = RemoteShell.start(target.name(), client, privilege, files::channel);
        shell = started;
        claimed.complete(started);
    }

    /** With the persistent shell: in its exit's one {@code rm}, with its own files (no command, no round trip). */
    @Override
    public boolean removeOnClose(String path, String ifContains) {
        RemoteShell rs = shell;
        return rs != null && rs.removeAtExit(path, ifContains);
    }

    /** True when commands go through the persistent shell (false: a session per command). */
    public boolean persistentShell() {
        return shell != null;
    }

    @Override
    public ExecResult execBuiltins(String script, ExecOptions options) {
        RemoteShell rs = shell();
        return rs != null ? rs.exec(script, options, 'I') : sessions.exec(script, options);
    }

    @Override
    public ExecResult exec(String command, ExecOptions options) {
        RemoteShell rs = shell();
        return rs != null ? rs.exec(command, options) : sessions.exec(command, options);
    }

    /** The SFTP write size of this connection. */
    int sftpWriteSize() throws java.io.IOException {
        return files.writeSize();
    }

    @Override
    public void upload(Path local, String remotePath) {
        if (privilege.active()) {
            rootFiles.upload(local, remotePath);
        } else {
            files.upload(local, remotePath);
        }
    }

    @Override
    public void upload(byte[] content, String remotePath) {
        if (privilege.active()) {
            rootFiles.upload(content, remotePath);
        } else {
            files.upload(content, remotePath);
        }
    }

    /**
     * Over SFTP: a stat of {@code dest}, a setstat of {@code temp} (sftp-server applies the mode,
     * then the owner) and OpenSSH's posix-rename (rename(2); plain SFTP rename refuses to replace):
     * three round trips instead of chmod, chown and mv processes on the host (~6 ms of CPU each on
     * the lab's VM, a restore's env-file edit sits inside its outage). Not for a target with
     * {@code become}: SFTP works as the login user, the command path as root.
     */
    @Override
    public boolean moveInto(String temp, String dest, Integer mode) {
        return !privilege.active() && files.moveInto(temp, dest, mode);
    }

    @Override
    public void download(String remotePath, Path local) {
        if (privilege.active()) {
            rootFiles.download(remotePath, local);
        } else {
            files.download(remotePath, local);
        }
    }

    @Override
    public byte[] read(String remotePath) {
        return privilege.active() ? rootFiles.read(remotePath) : files.read(remotePath);
    }

    /** Through this connection: a listener on 127.0.0.1 per target, each connection a direct-tcpip channel ({@link PortForwards}). */
    @Override
    public java.net.InetSocketAddress forward(String host, int port) {
        return forwards.to(host, port);
    }

    @Override
    public String describe() {
        return "ssh " + target.user() + "@" + target.address() + ":" + target.port();
    }

    /** Ends the connection: EOF to the persistent shell, then disconnect (no per-channel close handshakes to wait for). */
    @Override
    public synchronized void close() {
        forwards.close();
        if (shell != null) {
            shell.close();
        }
        SshConnector.close(client);
    }
}

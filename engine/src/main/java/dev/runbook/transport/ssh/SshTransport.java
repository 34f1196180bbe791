package dev.runbook.transport.ssh;

import dev.runbook.template.ShellQuote;
import dev.runbook.transport.ExecOptions;
import dev.runbook.transport.ExecResult;
import dev.runbook.transport.OutputTail;
import dev.runbook.transport.Transport;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import net.schmizz.sshj.DefaultConfig;
import net.schmizz.sshj.SSHClient;
import net.schmizz.sshj.common.Factory;
import net.schmizz.sshj.common.SecurityUtils;
import net.schmizz.sshj.connection.channel.direct.Session;
import net.schmizz.sshj.sftp.OpenMode;
import net.schmizz.sshj.sftp.RemoteFile;
import net.schmizz.sshj.sftp.SFTPClient;
import net.schmizz.sshj.userauth.UserAuthException;
import net.schmizz.sshj.userauth.keyprovider.KeyProvider;
import net.schmizz.sshj.xfer.FileSystemFile;

/**
 * One host over SSH (sshj): ONE authenticated connection for the whole run, SFTP on a shared
 * channel, and commands run by one long-lived shell on the host ({@link RemoteShell}), or, where
 * that shell cannot run (sudo, no bash ...), each in a session of its own (at most
 * {@link #MAX_SESSIONS} at once, under sshd's MaxSessions). A timed-out or cancelled command is
 * killed with its whole process group on the host.
 */
public final class SshTransport implements Transport {
    static final int MAX_SESSIONS = 8;
    /** Every command runs with errexit and pipefail: a failing line of a multi-line script fails the step. */
    public static final String BASH = "bash -e -o pipefail -c ";
    private static final String PGID_MARK = "\u001erunbook-pgid ";
    private static final ExecutorService PUMPS = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "ssh-pump");
        t.setDaemon(true);
        return t;
    });

    static {
        // With BouncyCastle registered, sshj routes all crypto through it: SFTP ~3.8x slower (no AES-NI).
        SecurityUtils.setRegisterBouncyCastle(false);
    }

    private final SshTarget target;
    private final SSHClient client;
    private final Semaphore sessions = new Semaphore(MAX_SESSIONS);
    private SFTPClient sftp;
    private int writeSize;
    private volatile RemoteShell shell;
    /** Started on the host's second command: a host that runs one command never pays for the shell. */
    private final java.util.concurrent.atomic.AtomicInteger commands = new java.util.concurrent.atomic.AtomicInteger();
    private volatile CompletableFuture<RemoteShell> shellStart;
    /** How sshd's login shell starts the persistent one: no profile or rc file can print into its frames. */
    private static final String LAUNCH = "exec bash --noprofile --norc -c ";

    private SshTransport(SshTarget target, SSHClient client) {
        this.target = target;
        this.client = client;
    }

    /**
     * The persistent shell when it runs. The host's second command starts it in the background
     * (sessions serve until it is ready); with sudo it never starts, because its files would
     * belong to root while SFTP reads them as the login user.
     */
    private RemoteShell shell() {
        RemoteShell rs = shell;
        if (rs != null || !target.persistentShell() || target.become() != null) {
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
        if (count >= 3 && target.persistentShell() && target.become() == null) {
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
        if (!target.persistentShell() || target.become() != null) {
            return false;
        }
        CompletableFuture<RemoteShell> mine = claimShellStart();
        if (mine != null) {
            launchShell(mine);
        }
        return shellStart.join() != null;
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
        RemoteShell started = RemoteShell.start(target.name(), client, LAUNCH, this::sftp);
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

    /** Connects and authenticates; every failure is a {@link dev.runbook.transport.TransportException} with a hint. */
    public static SshTransport connect(SshTarget t, boolean acceptNewHostKeys, int connectTimeoutMillis) {
        SSHClient c = new SSHClient(config());
        c.setSocketFactory(new NoDelaySocketFactory());
        c.setConnectTimeout(connectTimeoutMillis);
        HostKeyCheck check;
        Path kh = t.knownHosts() != null ? t.knownHosts() : Path.of(System.getProperty("user.home"), ".ssh", "known_hosts");
        try {
            check = new HostKeyCheck(kh.toFile(), acceptNewHostKeys);
        } catch (IOException e) {
            throw new dev.runbook.transport.TransportException(t.name(), "cannot read known_hosts " + kh + ": " + e.getMessage(), null, e);
        }
        c.addHostKeyVerifier(check);
        // keepalive@openssh.com requests that expect a reply: a host that stops answering (link cut,
        // powered off without a RST) fails its commands after ~20 s instead of hanging on TCP. Set
        // before connect(): sshj starts the keepalive thread only if it is enabled by then.
        net.schmizz.keepalive.KeepAlive ka = c.getConnection().getKeepAlive();
        ka.setKeepAliveInterval(KEEPALIVE_SECONDS);
        if (ka instanceof net.schmizz.keepalive.KeepAliveRunner runner) {
            runner.setMaxAliveCount(KEEPALIVE_MISSED);
        }
        String where = t.user() + "@" + t.address() + ":" + t.port();
        try {
            long t0 = System.nanoTime();
            c.connect(t.address(), t.port());
            long t1 = System.nanoTime();
            c.setTimeout(0);
            c.authPublickey(t.user(), keys(c, t));
            long t2 = System.nanoTime();
            SshTransport st = new SshTransport(t, c);
            if (System.getenv("RUNBOOK_TRACE") != null) {
                System.err.printf("trace-connect %s connect=%.0fms auth=%.0fms%n", t.name(), (t1 - t0) / 1e6, (t2 - t1) / 1e6);
            }
            return st;
        } catch (net.schmizz.sshj.transport.TransportException e) {
            close(c);
            if (check.outcome() == HostKeyCheck.Outcome.CHANGED) {
                throw new dev.runbook.transport.TransportException(t.name(), "HOST KEY CHANGED for " + where + " (now " + check.fingerprint()
                        + "); refusing to connect", "if the host was really reinstalled, remove its old line from " + kh
                        + " and verify the new key out of band; a changed key can mean someone is intercepting the connection", e);
            }
            if (check.outcome() == HostKeyCheck.Outcome.REVOKED) {
                throw new dev.runbook.transport.TransportException(t.name(), "host key of " + where + " (" + check.fingerprint()
                        + ") is marked @revoked in " + kh + "; refusing to connect",
                        "the host must get a new key, verified out of band; a revoked key is never accepted", e);
            }
            if (check.outcome() == HostKeyCheck.Outcome.UNKNOWN) {
                throw new dev.runbook.transport.TransportException(t.name(), "unknown host key for " + where + " (" + check.fingerprint()
                        + ", not in " + kh + ")", "add it to known_hosts (ssh-keyscan, verified out of band) or run once with --accept-new-host-keys", e);
            }
            throw new dev.runbook.transport.TransportException(t.name(), "SSH handshake with " + where + " failed: " + e.getMessage(), null, e);
        } catch (UserAuthException e) {
            close(c);
            throw new dev.runbook.transport.TransportException(t.name(), "authentication as " + t.user() + " failed on " + where,
                    "check identity_file in the inventory (" + (t.identityFile() == null ? "~/.ssh defaults used" : t.identityFile())
                            + ") and the host's authorized_keys", e);
        } catch (ConnectException | NoRouteToHostException | SocketTimeoutException | UnknownHostException e) {
            close(c);
            throw new dev.runbook.transport.TransportException(t.name(), "unreachable at " + where + " (" + e.getClass().getSimpleName()
                    + ": " + e.getMessage() + ")", "is the host up and sshd listening? check address/port in the inventory", e);
        } catch (IOException e) {
            close(c);
            throw new dev.runbook.transport.TransportException(t.name(), "cannot connect to " + where + ": " + e.getMessage(),
                    "is the host up and sshd listening?", e);
        }
    }

    private static final java.util.concurrent.atomic.AtomicBoolean PREWARMED = new java.util.concurrent.atomic.AtomicBoolean();

    /**
     * The one-time work every connection would otherwise wait for, done on the calling thread:
     * sshj's configuration, the classes of a connection, the crypto's tables (BouncyCastle builds
     * Ed25519's precomputed points on first use). {@code Main} runs it on its prewarm thread before
     * the runbook is parsed and planned, which keep one core busy and leave the other idle; a
     * 100-host run's connections then start with it done. Once per process (later calls return at
     * once). Touches no host and no file.
     */
    public static void prewarm() {
        if (!PREWARMED.compareAndSet(false, true)) {
            return;
        }
        try {
            new SSHClient(config()).close();
            byte[] sk = new byte[org.bouncycastle.math.ec.rfc8032.Ed25519.SECRET_KEY_SIZE];
            byte[] pk = new byte[org.bouncycastle.math.ec.rfc8032.Ed25519.PUBLIC_KEY_SIZE];
            byte[] sig = new byte[org.bouncycastle.math.ec.rfc8032.Ed25519.SIGNATURE_SIZE];
            org.bouncycastle.math.ec.rfc8032.Ed25519.generatePublicKey(sk, 0, pk, 0);
            org.bouncycastle.math.ec.rfc8032.Ed25519.sign(sk, 0, pk, 0, pk, 0, pk.length, sig, 0);
            org.bouncycastle.math.ec.rfc8032.Ed25519.verify(sig, 0, pk, 0, pk, 0, pk.length);
            byte[] secret = new byte[org.bouncycastle.math.ec.rfc7748.X25519.POINT_SIZE];
            org.bouncycastle.math.ec.rfc7748.X25519.scalarMultBase(sk, 0, secret, 0);
            org.bouncycastle.math.ec.rfc7748.X25519.calculateAgreement(pk, 0, secret, 0, secret, 0);
            javax.crypto.Cipher gcm = javax.crypto.Cipher.getInstance("AES/GCM/NoPadding");
            gcm.init(javax.crypto.Cipher.ENCRYPT_MODE, new javax.crypto.spec.SecretKeySpec(new byte[16], "AES"),
                    new javax.crypto.spec.GCMParameterSpec(128, new byte[12]));
            gcm.doFinal(new byte[64]);
            java.security.MessageDigest.getInstance("SHA-256").digest(pk);
        } catch (IOException | java.security.GeneralSecurityException | RuntimeException e) {
            // only a head start: a connection does all of this itself when it must
        }
    }

    /** A connection is declared lost after this many keepalive intervals without any reply. */
    static final int KEEPALIVE_SECONDS = 5;
    static final int KEEPALIVE_MISSED = 4;

    /**
     * One sshj configuration for every connection: building one probes every cipher with the JCE
     * (a few ms of CPU each time, 100 times on a 100-host run). Its factories are stateless.
     */
    private static volatile DefaultConfig shared;

    private static DefaultConfig config() {
        DefaultConfig c = shared;
        if (c == null) {
            synchronized (SshTransport.class) {
                if (shared == null) {
                    shared = newConfig();
                }
                c = shared;
            }
        }
        return c;
    }

    private static DefaultConfig newConfig() {
        DefaultConfig config = new DefaultConfig();
        config.setKeepAliveProvider(net.schmizz.keepalive.KeepAliveProvider.KEEP_ALIVE);
        // curve25519 first: ~100 ms faster per connection than OpenSSH 9's default PQ hybrid here;
        // with BouncyCastle's arithmetic (FastCurve25519), the protocol staying sshj's
        config.setKeyExchangeFactories(preferFirst(config.getKeyExchangeFactories().stream()
                .map(f -> f.getName().equals("curve25519-sha256") || f.getName().equals("curve25519-sha256@libssh.org")
                        ? new net.schmizz.sshj.transport.kex.FastCurve25519.Factory(f.getName()) : f)
                .toList(), "curve25519-sha256"));
        config.setCipherFactories(preferFirst(config.getCipherFactories(), "aes128-gcm@openssh.com"));
        config.setKeyAlgorithms(config.getKeyAlgorithms().stream()
                .map(f -> f.getName().equals("ssh-ed25519") ? Ed25519Signature.keyAlgorithm(f) : f).toList());
        return config;
    }

    private static <T extends Factory.Named<?>> List<T> preferFirst(List<T> all, String name) {
        List<T> out = new ArrayList<>(all.stream().filter(f -> f.getName().equals(name)).toList());
        all.stream().filter(f -> !f.getName().equals(name)).forEach(out::add);
        return out;
    }

    private static List<KeyProvider> keys(SSHClient c, SshTarget t) throws IOException {
        List<KeyProvider> out = new ArrayList<>();
        // the inventory's key first, then the usual ~/.ssh keys, as OpenSSH tries them
        if (t.identityFile() != null) {
            if (!Files.isReadable(t.identityFile())) {
                throw new IOException("identity_file " + t.identityFile() + " is not readable");
            }
            out.add(key(c, t.identityFile()));
        }
        for (String n : List.of("id_ed25519", "id_ecdsa", "id_rsa")) {
            Path p = Path.of(System.getProperty("user.home"), ".ssh", n);
            if (Files.isReadable(p) && !p.equals(t.identityFile())) {
                out.add(key(c, p));
            }
        }
        return out;
    }

    /** A decoded private key and the file state it was read from. */
    private record LoadedKey(long size, long modified, KeyProvider key) {
    }

    private static final java.util.Map<Path, LoadedKey> KEYS = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * A key file, decoded once per run rather than once per connection (decoding an Ed25519 key
     * derives its public point). A key that cannot be decoded here (a passphrase, say) is handed to
     * sshj as a file, per connection, so authentication reports it as before.
     */
    private static KeyProvider key(SSHClient c, Path file) throws IOException {
        long size = Files.size(file);
        long modified = Files.getLastModifiedTime(file).toMillis();
        LoadedKey k = KEYS.get(file);
        if (k != null && k.size() == size && k.modified() == modified) {
            return k.key();
        }
        KeyProvider fromFile = c.loadKeys(file.toString());
        try {
            KeyProvider decoded = new net.schmizz.sshj.userauth.keyprovider.KeyPairWrapper(
                    new java.security.KeyPair(fromFile.getPublic(), fromFile.getPrivate()));
            KEYS.put(file, new LoadedKey(size, modified, decoded));
            return decoded;
        } catch (IOException | RuntimeException e) {
            return fromFile;
        }
    }

    @Override
    public ExecResult execBuiltins(String script, ExecOptions options) {
        RemoteShell rs = shell();
        return rs != null ? rs.exec(script, options, 'I') : exec(script, options);
    }

    @Override
    public ExecResult exec(String command, ExecOptions options) {
        RemoteShell rs = shell();
        if (rs != null) {
            return rs.exec(command, options);
        }
        long start = System.nanoTime();
        try {
            sessions.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new ExecResult(-1, "", "", 0, 0, 0, false, true);
        }
        try (Session session = openSession()) {
            String inner = target.become() != null ? "sudo -n -- " + BASH + ShellQuote.quote(command) : BASH + ShellQuote.quote(command);
            // sshd makes the login shell a process-group leader: report its pid so a timeout can kill the group.
            Session.Command cmd = session.exec("printf '" + PGID_MARK.replace("\u001e", "\\036") + "%s\\n' $$ >&2; exec " + inner);
            OutputTail out = new OutputTail(options.keepBytes());
            OutputTail err = new OutputTail(options.keepBytes());
            java.util.concurrent.atomic.AtomicReference<String> pgid = new java.util.concurrent.atomic.AtomicReference<>();
            CompletableFuture<?> o = CompletableFuture.runAsync(() -> pump(out, cmd.getInputStream(), null), PUMPS);
            CompletableFuture<?> e = CompletableFuture.runAsync(() -> pump(err, cmd.getErrorStream(), pgid), PUMPS);
            long deadline = options.timeout() == null ? Long.MAX_VALUE : start + options.timeout().toNanos();
            boolean timedOut = false;
            boolean cancelled = false;
            Exception broken = null;
            while (true) {
                try {
                    cmd.join(100, TimeUnit.MILLISECONDS);
                    break;
                } catch (net.schmizz.sshj.connection.ConnectionException stillRunning) {
                    if (!cmd.isOpen()) {
                        // closed under us: a dead connection's error, not join's own timeout
                        broken = stillRunning.getMessage() != null && stillRunning.getMessage().contains("Timeout expired") ? null : stillRunning;
                        break;
                    }
                }
                if (System.nanoTime() > deadline) {
                    timedOut = true;
                } else if (options.cancelled().getAsBoolean()) {
                    cancelled = true;
                }
                if (timedOut || cancelled) {
                    kill(pgid);
                    break;
                }
            }
            if (timedOut || cancelled) {
                // the killed command's streams end soon; if they do not, closing the channel ends our side
                try {
                    CompletableFuture.allOf(o, e).get(5, TimeUnit.SECONDS);
                } catch (java.util.concurrent.TimeoutException stuck) {
                    cmd.close();
                }
            } else {
                o.get(30, TimeUnit.SECONDS);
                e.get(30, TimeUnit.SECONDS);
            }
            Integer status = cmd.getExitStatus();
            int code = timedOut || cancelled || status == null ? -1 : status;
            String stderr = err.text();
            if (status == null && !timedOut && !cancelled) {
                for (int i = 0; i < 20 && broken == null && client.getTransport().isRunning(); i++) {
                    Thread.sleep(50); // a dying transport closes its channels first, then stops
                }
                if (broken != null || !client.isConnected() || !client.getTransport().isRunning()) {
                    // the keepalives went unanswered (link cut, host gone) or the connection broke
                    throw new dev.runbook.transport.TransportException(target.name(), "connection lost while running a command",
                            "the host, its network link or its sshd went away; the command may or may not have run", null);
                }
                stderr += (stderr.isEmpty() || stderr.endsWith("\n") ? "" : "\n")
                        + "runbook: the command ended without an exit status (killed by a signal?)\n";
            }
            return new ExecResult(code, out.text(), stderr, out.total(), err.total(),
                    (System.nanoTime() - start) / 1_000_000, timedOut, cancelled);
        } catch (dev.runbook.transport.TransportException te) {
            throw te;
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            return new ExecResult(-1, "", "", 0, 0, 0, false, true);
        } catch (Exception ex) {
            throw new dev.runbook.transport.TransportException(target.name(), "connection lost while running a command: " + ex.getMessage(),
                    "the host or its sshd went away; the command may or may not have run", ex);
        } finally {
            sessions.release();
        }
    }

    /**
     * Opens a session channel. sshd refuses one ("no more sessions") for a moment after another
     * closed, while it still counts the old one against MaxSessions: retry briefly instead of failing.
     */
    private Session openSession() throws IOException, InterruptedException {
        for (int attempt = 1; ; attempt++) {
            try {
                return client.startSession();
            } catch (net.schmizz.sshj.connection.channel.OpenFailException e) {
                if (attempt >= 100 || !client.isConnected()) {
                    throw e;
                }
                Thread.sleep(Math.min(100, 5L * attempt));
            }
        }
    }

    /** Drains a stream; for stderr, strips and records the leading pgid line the wrapper prints. */
    private static void pump(OutputTail tail, InputStream in, java.util.concurrent.atomic.AtomicReference<String> pgid) {
        try (in) {
            if (pgid != null) {
                ByteArrayOutputStream first = new ByteArrayOutputStream();
                int b;
                while ((b = in.read()) >= 0 && b != '\n' && first.size() < 64) {
                    first.write(b);
                }
                String line = first.toString(StandardCharsets.UTF_8);
                if (line.startsWith(PGID_MARK)) {
                    pgid.set(line.substring(PGID_MARK.length()).trim());
                } else {
                    tail.drain(new java.io.ByteArrayInputStream((line + (b == '\n' ? "\n" : "")).getBytes(StandardCharsets.UTF_8)));
                }
            }
            tail.drain(in);
        } catch (IOException ignored) {
            // channel closed under us (kill, disconnect): keep what was read
        }
    }

    /** Kills the command's process group; waits a little for its pid when a slow login shell has not printed it yet. */
    private void kill(java.util.concurrent.atomic.AtomicReference<String> pgidHolder) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (pgidHolder.get() == null && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        String pgid = pgidHolder.get();
        if (pgid == null || !pgid.matches("\\d+")) {
            return;
        }
        try (Session s = openSession()) {
            Session.Command k = s.exec((target.become() != null ? "sudo -n " : "") + "kill -TERM -- -" + pgid
                    + " 2>/dev/null; sleep 1; kill -KILL -- -" + pgid + " 2>/dev/null; true");
            k.join(5, TimeUnit.SECONDS);
        } catch (IOException ignored) {
            // best effort: the connection itself may be the problem
        }
    }

    private synchronized SFTPClient sftp() throws IOException {
        if (sftp == null) {
            sftp = client.newSFTPClient();
        }
        return sftp;
    }

    /** The SFTP write size of this connection (asked once, see {@link SftpWrites}). */
    synchronized int sftpWriteSize() throws IOException {
        if (writeSize == 0) {
            writeSize = SftpWrites.writeSize(sftp().getSFTPEngine());
            if (System.getenv("RUNBOOK_TRACE") != null) {
                System.err.println("trace-sftp " + target.name() + " write size " + writeSize);
            }
        }
        return writeSize;
    }

    @Override
    public void upload(Path local, String remotePath) {
        try {
            SftpWrites.upload(sftp(), sftpWriteSize(), local, remotePath);
        } catch (IOException e) {
            throw new dev.runbook.transport.TransportException(target.name(), "upload to " + remotePath + " failed: " + e.getMessage(),
                    "does the directory exist and is it writable by " + target.user() + "?", e);
        }
    }

    @Override
    public void upload(byte[] content, String remotePath) {
        try {
            SftpWrites.write(sftp(), new java.io.ByteArrayInputStream(content), remotePath, net.schmizz.sshj.sftp.FileAttributes.EMPTY, sftpWriteSize());
        } catch (IOException e) {
            throw new dev.runbook.transport.TransportException(target.name(), "writing " + remotePath + " failed: " + e.getMessage(),
                    "does the directory exist and is it writable by " + target.user() + "?", e);
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
        if (target.become() != null) {
            return false;
        }
        try {
            SFTPClient s = sftp();
            if (!s.getSFTPEngine().supportsServerExtension("posix-rename", "openssh.com")) {
                return false;
            }
            net.schmizz.sshj.sftp.FileAttributes existing = s.statExistence(dest);
            net.schmizz.sshj.sftp.FileAttributes.Builder attrs = new net.schmizz.sshj.sftp.FileAttributes.Builder();
            Integer bits = mode != null ? mode : existing != null ? existing.getMode().getPermissionsMask() : null;
            if (bits != null) {
                attrs.withPermissions(bits);
            }
            if (existing != null) {
                attrs.withUIDGID(existing.getUID(), existing.getGID());
            }
            if (bits != null || existing != null) {
                s.setattr(temp, attrs.build());
            }
            s.rename(temp, dest, EnumSet.of(net.schmizz.sshj.sftp.RenameFlags.OVERWRITE));
            return true;
        } catch (IOException e) {
            throw new dev.runbook.transport.TransportException(target.name(), "moving " + temp + " to " + dest + " failed: " + e.getMessage(),
                    "is " + dest + " a directory, or not writable by " + target.user() + "?", e);
        }
    }

    @Override
    public void download(String remotePath, Path local) {
        try {
            sftp().get(remotePath, new FileSystemFile(local.toFile()));
        } catch (IOException e) {
            throw new dev.runbook.transport.TransportException(target.name(), "download of " + remotePath + " failed: " + e.getMessage(), null, e);
        }
    }

    @Override
    public byte[] read(String remotePath) {
        try (RemoteFile f = sftp().open(remotePath, EnumSet.of(OpenMode.READ));
             InputStream in = f.new RemoteFileInputStream(0)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new dev.runbook.transport.TransportException(target.name(), "reading " + remotePath + " failed: " + e.getMessage(),
                    "does the file exist?", e);
        }
    }

    @Override
    public String describe() {
        return "ssh " + target.user() + "@" + target.address() + ":" + target.port();
    }

    /** Ends the connection: EOF to the persistent shell, then disconnect (no per-channel close handshakes to wait for). */
    @Override
    public synchronized void close() {
        if (shell != null) {
            shell.close();
        }
        close(client);
    }

    private static void close(SSHClient c) {
        try {
            c.disconnect();
        } catch (IOException ignored) {
            // nothing useful to do on a failed disconnect
        }
    }
}

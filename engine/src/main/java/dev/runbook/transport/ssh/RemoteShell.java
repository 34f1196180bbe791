package dev.runbook.transport.ssh;

import dev.runbook.transport.ExecOptions;
import dev.runbook.transport.ExecResult;
import dev.runbook.transport.TransportException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import net.schmizz.sshj.connection.channel.direct.Session;
import net.schmizz.sshj.sftp.SFTPClient;

/**
 * One long-lived bash per host that runs every command of the run in a forked subshell, instead of
 * a new SSH session per command. A session costs sshd a fork, the PAM session stack (motd scripts
 * included on Debian) and a login shell: ~40 ms on the 2-core lab VM, against ~8 ms here.
 *
 * <p>Protocol, a line per frame; a frame carrying a script has a header line with its length first
 * (see {@link ShellFrames#frame}). Engine to shell: {@code R|W|X id $'script'} runs a script as
 * {@code bash -e -o pipefail} would (see {@link ShellFrames#mode}); {@code I id $'script'} runs an engine-owned
 * builtins-only script in the shell itself, without a fork; {@code L 0 $'path needle'} registers a
 * file for removal at exit (see {@link #removeAtExit}); {@code K id SIGNAL} signals the command's
 * process group; {@code P id} asks whether it still runs; {@code F id} lets the shell delete its
 * output files. Shell to engine: {@code READY prefix} once, {@code D id exit stdout-bytes
 * stderr-bytes} when a command ends, {@code G id} when a probed command is gone without a D (killed
 * by SIGKILL, the OOM killer). Each command's stdout and stderr go to files named by the shell's
 * prefix (a dir of the user's own, mode 700, and the shell's pid) and the command's id, removed when
 * the shell exits; the engine reads only their tails over SFTP (nothing at all for empty output), so a
 * command printing gigabytes costs bounded memory here. Every command starts from the shell's
 * pristine state: variables, directory, umask and functions never leak from one to the next.
 */
final class RemoteShell implements AutoCloseable {
    /** The shell's program (remote-shell.bash); every name it uses starts with __rb_ so scripts do not collide with them. */
    static final String SCRIPT = dev.runbook.template.ShellScript.load(RemoteShell.class, "remote-shell.bash");

    private static final java.util.concurrent.ScheduledExecutorService WATCHDOG = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "remote-shell-watchdog");
        t.setDaemon(true);
        return t;
    });
    private static final long PROBE_NANOS = TimeUnit.SECONDS.toNanos(2);
    private final String host;
    private final Session.Command shell;
    private final OutputStream in;
    private final SftpSource sftp;
    /** Where the shell's output files are: this prefix, then the command's id and .o or .e. */
    private final String files;
    /** Running commands: completed with {exit code, stdout bytes, stderr bytes} (-1 = unknown), or {@link #VANISHED}. */
    private final Map<Long, CompletableFuture<long[]>> running = new ConcurrentHashMap<>();
    private static final long[] VANISHED = {};
    private final AtomicLong ids = new AtomicLong();
    private volatile String lost;

    /** The SFTP channel of the connection (opened on first use by the transport). */
    interface SftpSource {
        SFTPClient get() throws IOException;
    }

    private RemoteShell(String host, Session.Command shell, String files, SftpSource sftp) {
        this.host = host;
        this.shell = shell;
        this.in = shell.getOutputStream();
        this.files = files;
        this.sftp = sftp;
    }

    /**
     * Starts the shell on an open connection; null when the host cannot run it (no bash, mktemp,
     * mkfifo, a read-only temp dir ...): the caller then uses one session per command.
     */
    static RemoteShell start(String host, net.schmizz.sshj.SSHClient client, Privilege privilege, SftpSource sftp) {
        Session s = null;
        try {
            s = client.startSession();
            Session.Command cmd = s.exec(launch(privilege));
            privilege.sendPassword(cmd.getOutputStream());
            BufferedReader out = new BufferedReader(new InputStreamReader(cmd.getInputStream(), StandardCharsets.UTF_8));
            // read the READY line right here (a shared pool would make 100 hosts wait on each other);
            // a shell that never answers is closed by the watchdog and the host falls back to sessions
            Session started = s;
            java.util.concurrent.ScheduledFuture<?> watchdog = WATCHDOG.schedule(() -> {
                try {
                    started.close();
                } catch (IOException ignored) {
                    // closing is all we wanted
                }
            }, 15, TimeUnit.SECONDS);
            String first;
            try {
                first = out.readLine();
            } finally {
                watchdog.cancel(false);
            }
            if (first == null || !first.startsWith("READY /")) {
                s.close();
                return null;
            }
            RemoteShell rs = new RemoteShell(host, cmd, first.substring("READY ".length()).trim(), sftp);
            Thread reader = new Thread(() -> rs.readFrames(out), "remote-shell-" + host);
            reader.setDaemon(true);
            reader.start();
            return rs;
        } catch (IOException e) {
            if (s != null) {
                try {
                    s.close();
                } catch (IOException ignored) {
                    // giving up on the shell anyway
                }
            }
            return null;
        }
    }

    /**
     * How sshd's login shell starts this one: bash without profile or rc files (nothing can print
     * into its frames); through sudo, with the login user's own dir for its files, made private
     * and checked (not a symlink, the user's own) before sudo.
     */
    static String launch(Privilege privilege) {
        String bash = "bash --noprofile --norc -c " + dev.runbook.template.ShellQuote.quote(SCRIPT);
        if (!privilege.active()) {
            return "exec " + bash;
        }
        return "umask 077; d=${TMPDIR:-/tmp}/runbook-shell-$(id -u); { [ -d \"$d\" ] && [ ! -L \"$d\" ] && [ -O \"$d\" ]; }"
                + " || { mkdir -m 700 \"$d\" && [ -O \"$d\" ]; } || exit 97; exec " + privilege.wrap(bash + " runbook-shell \"$d\"");
    }

    private void readFrames(BufferedReader out) {
        try {
            String line;
            while ((line = out.readLine()) != null) {
                String[] f = line.split(" ");
                if (f.length == 5 && f[0].equals("D")) {
                    CompletableFuture<long[]> done = running.remove(Long.parseLong(f[1]));
                    if (done != null) {
                        done.complete(new long[] {Long.parseLong(f[2]), Long.parseLong(f[3]), Long.parseLong(f[4])});
                    }
                } else if (f.length == 2 && f[0].equals("G")) {
                    // the command's processes are gone and no exit status came first (SIGKILL, OOM killer)
                    CompletableFuture<long[]> done = running.remove(Long.parseLong(f[1]));
                    if (done != null) {
                        done.complete(VANISHED);
                    }
                }
            }
            lost = "the remote shell ended";
        } catch (IOException | NumberFormatException e) {
            lost = "the remote shell's output broke: " + e.getMessage();
        }
        TransportException gone = new TransportException(host, "connection lost while running a command (" + lost + ")",
                "the host or its sshd went away; the command may or may not have run", null);
        running.values().forEach(f -> f.completeExceptionally(gone));
    }

    /** Runs one command; same contract as {@link dev.runbook.transport.Transport#exec}. */
    ExecResult exec(String command, ExecOptions options) {
        return exec(command, options, ShellFrames.mode(command));
    }

    /** Runs one command in the given {@link ShellFrames#mode}, or I: in this shell's own process (see Transport#execBuiltins). */
    ExecResult exec(String command, ExecOptions options, char mode) {
        long start = System.nanoTime();
        if (command.indexOf('\0') >= 0) {
            throw new TransportException(host, "a command contains a NUL byte", "commands are text; pass binary data as a file", null);
        }
        long id = ids.incrementAndGet();
        CompletableFuture<long[]> done = new CompletableFuture<>();
        running.put(id, done);
        send(ShellFrames.frame(mode, id, command));
        long[] nextProbe = {start + PROBE_NANOS};
        CommandWait.End ended;
        long[] end = null;
        try {
            ended = CommandWait.await(start, options.timeout() == null ? Long.MAX_VALUE : options.timeout().toNanos(), options.cancelled(), 50,
                    ms -> {
                        try {
                            done.get(ms, TimeUnit.MILLISECONDS);
                            return true;
                        } catch (TimeoutException stillRunning) {
                            return false;
                        }
                    }, () -> {
                        long now = System.nanoTime();
                        if (now > nextProbe[0]) {
                            send("P " + id + "\n");
                            nextProbe[0] = now + PROBE_NANOS;
                        }
                    });
            end = ended == CommandWait.End.DONE ? done.get() : kill(id, done);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            kill(id, done);
            return new ExecResult(-1, "", "", 0, 0, 0, false, true);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof TransportException te ? te
                    : new TransportException(host, "connection lost while running a command: " + e.getCause(), null, e.getCause());
        } catch (TransportException e) {
            throw e;
        } catch (Exception e) {
            throw new TransportException(host, "connection lost while running a command: " + e, null, e);
        }
        boolean timedOut = ended == CommandWait.End.TIMED_OUT;
        boolean cancelled = ended == CommandWait.End.CANCELLED;
        long tDone = System.nanoTime();
        try {
            boolean known = end != null && end.length == 3;
            ShellOutputFile out = ShellOutputFile.read(sftp, files + id + ".o", known ? end[1] : -1, options.keepBytes());
            ShellOutputFile err = ShellOutputFile.read(sftp, files + id + ".e", known ? end[2] : -1, options.keepBytes());
            send("F " + id + "\n");
            if (dev.runbook.trace.Trace.ON) {
                dev.runbook.trace.Trace.line("command", "%s run=%.1fms tails=%.1fms", host, (tDone - start) / 1e6, (System.nanoTime() - tDone) / 1e6);
            }
            int exit = timedOut || cancelled || !known ? -1 : (int) end[0];
            String stderr = err.text();
            if (!known && !timedOut && !cancelled) {
                stderr += (stderr.isEmpty() || stderr.endsWith("\n") ? "" : "\n")
                        + "runbook: the command ended without an exit status (killed by a signal, e.g. the OOM killer?)\n";
            }
            return new ExecResult(exit, out.text(), stderr, out.total(), err.total(), (System.nanoTime() - start) / 1_000_000, timedOut, cancelled);
        } catch (IOException e) {
            throw new TransportException(host, "reading a command's output failed: " + e.getMessage(),
                    "is the host's temp dir (" + files.substring(0, files.lastIndexOf('/')) + ") full or gone?", e);
        }
    }

    /** TERM to the command's process group, KILL a second later if it is still there; its end frame if one came. */
    private long[] kill(long id, CompletableFuture<long[]> done) {
        send("K " + id + " TERM\n");
        try {
            return done.get(1, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            send("K " + id + " KILL\n");
            try {
                return done.get(3, TimeUnit.SECONDS);
            } catch (TimeoutException | ExecutionException stuck) {
                running.remove(id);
                return null;
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
                return null;
            }
        } catch (ExecutionException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /**
     * Registers {@code path} for removal when this shell exits (in its one {@code rm} with its own
     * files), if its first line then still contains {@code ifContains}; false when it cannot be sent.
     */
    boolean removeAtExit(String path, String ifContains) {
        try {
            send(ShellFrames.frame('L', 0, dev.runbook.template.ShellQuote.quote(path) + " " + dev.runbook.template.ShellQuote.quote(ifContains)));
            return true;
        } catch (TransportException e) {
            return false;
        }
    }

    /** Writes one whole frame (newline-terminated) in one write: frames from several threads never interleave. */
    private synchronized void send(String frame) {
        if (lost != null) {
            throw new TransportException(host, "connection lost (" + lost + ")", "the host or its sshd went away", null);
        }
        try {
            in.write(frame.getBytes(StandardCharsets.UTF_8));
            in.flush();
        } catch (IOException e) {
            throw new TransportException(host, "connection lost while sending a command: " + e.getMessage(),
                    "the host or its sshd went away", e);
        }
    }

    /**
     * Sends EOF: the shell kills what still runs and removes its files on its own. The channel's
     * close handshake is not awaited (the shell's exit, its cleanup and sshd's reply: a round trip
     * and a fork per host at the end of every run); the caller disconnects, which ends it as well.
     */
    @Override
    public void close() {
        try {
            in.close();
        } catch (IOException ignored) {
            // the connection is closing anyway
        }
    }
}

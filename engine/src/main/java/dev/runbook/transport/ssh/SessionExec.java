package dev.runbook.transport.ssh;

import dev.runbook.template.ShellQuote;
import dev.runbook.transport.ExecOptions;
import dev.runbook.transport.ExecResult;
import dev.runbook.transport.OutputTail;
import dev.runbook.transport.TransportException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import net.schmizz.sshj.SSHClient;
import net.schmizz.sshj.connection.channel.direct.Session;

/**
 * Runs each command in an SSH session of its own (at most {@link #MAX_SESSIONS} at once, under
 * sshd's MaxSessions): the way commands run where the persistent shell cannot. A timed-out or
 * cancelled command is killed with its whole process group on the host.
 */
final class SessionExec {
    static final int MAX_SESSIONS = 8;
    /** Every command runs with errexit and pipefail: a failing line of a multi-line script fails the step. */
    static final String BASH = "bash -e -o pipefail -c ";
    private static final String PGID_MARK = "\u001erunbook-pgid ";
    private static final ExecutorService PUMPS = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "ssh-pump");
        t.setDaemon(true);
        return t;
    });

    private final String host;
    private final SSHClient client;
    private final Privilege privilege;
    private final Semaphore sessions = new Semaphore(MAX_SESSIONS);

    SessionExec(String host, SSHClient client, Privilege privilege) {
        this.host = host;
        this.client = client;
        this.privilege = privilege;
    }

    /** Runs {@code command}; same contract as {@link dev.runbook.transport.Transport#exec}. */
    ExecResult exec(String command, ExecOptions options) {
        long start = System.nanoTime();
        try {
            sessions.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new ExecResult(-1, "", "", 0, 0, 0, false, true);
        }
        try (Session session = openSession()) {
            String inner = privilege.wrap(BASH + ShellQuote.quote(command));
            // sshd makes the login shell a process-group leader: report its pid so a timeout can kill the group.
            Session.Command cmd = session.exec("printf '" + PGID_MARK.replace("\u001e", "\\036") + "%s\\n' $$ >&2; exec " + inner);
            privilege.sendPassword(cmd.getOutputStream());
            OutputTail out = new OutputTail(options.keepBytes());
            OutputTail err = new OutputTail(options.keepBytes());
            AtomicReference<String> pgid = new AtomicReference<>();
            CompletableFuture<?> o = CompletableFuture.runAsync(() -> pump(out, cmd.getInputStream(), null), PUMPS);
            CompletableFuture<?> e = CompletableFuture.runAsync(() -> pump(err, cmd.getErrorStream(), pgid), PUMPS);
            AtomicReference<Exception> broken = new AtomicReference<>();
            CommandWait.End end = CommandWait.await(start, options.timeout() == null ? Long.MAX_VALUE : options.timeout().toNanos(),
                    options.cancelled(), 100, ms -> {
                        try {
                            cmd.join(ms, TimeUnit.MILLISECONDS);
                            return true;
                        } catch (net.schmizz.sshj.connection.ConnectionException stillRunning) {
                            if (!cmd.isOpen()) {
                                // closed under us: a dead connection's error, not join's own timeout
                                String m = stillRunning.getMessage();
                                broken.set(m != null && m.contains("Timeout expired") ? null : stillRunning);
                                return true;
                            }
                            return false;
                        }
                    }, () -> { });
            boolean timedOut = end == CommandWait.End.TIMED_OUT;
            boolean cancelled = end == CommandWait.End.CANCELLED;
            if (timedOut || cancelled) {
                kill(pgid);
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
                for (int i = 0; i < 20 && broken.get() == null && client.getTransport().isRunning(); i++) {
                    Thread.sleep(50); // a dying transport closes its channels first, then stops
                }
                if (broken.get() != null || !client.isConnected() || !client.getTransport().isRunning()) {
                    // the keepalives went unanswered (link cut, host gone) or the connection broke
                    throw new TransportException(host, "connection lost while running a command",
                            "the host, its network link or its sshd went away; the command may or may not have run", null);
                }
                stderr += (stderr.isEmpty() || stderr.endsWith("\n") ? "" : "\n")
                        + "runbook: the command ended without an exit status (killed by a signal?)\n";
            }
            return new ExecResult(code, out.text(), stderr, out.total(), err.total(),
                    (System.nanoTime() - start) / 1_000_000, timedOut, cancelled);
        } catch (TransportException te) {
            throw te;
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            return new ExecResult(-1, "", "", 0, 0, 0, false, true);
        } catch (Exception ex) {
            throw new TransportException(host, "connection lost while running a command: " + ex.getMessage(),
                    "the host or its sshd went away; the command may or may not have run", ex);
        } finally {
            sessions.release();
        }
    }

    /**
     * Runs {@code command} (through the privilege) and copies its stdout into {@code sink} as it
     * comes: a root-only file read with {@code cat}, streamed without a copy on the host. Returns
     * the exit status (-1: none) and up to 4 KiB of stderr.
     */
    Streamed stream(String command, java.io.OutputStream sink) throws IOException, InterruptedException {
        sessions.acquire();
        try (Session session = openSession()) {
            Session.Command cmd = session.exec(privilege.wrap(command));
            privilege.sendPassword(cmd.getOutputStream());
            cmd.getOutputStream().close();
            OutputTail err = new OutputTail(4096);
            CompletableFuture<?> e = CompletableFuture.runAsync(() -> pump(err, cmd.getErrorStream(), null), PUMPS);
            cmd.getInputStream().transferTo(sink);
            try {
                e.get(30, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException ignored) {
                // the status decides; stderr only explains it
            }
            cmd.join(30, TimeUnit.SECONDS);
            Integer status = cmd.getExitStatus();
            return new Streamed(status == null ? -1 : status, err.text().trim());
        } finally {
            sessions.release();
        }
    }

    /** A streamed command's exit status and the tail of its stderr. */
    record Streamed(int exit, String stderr) {
    }

    /**
     * Opens a session channel. sshd refuses one ("no more sessions") for a moment after another
     * closed, while it still counts the old one against MaxSessions: retry briefly instead of failing.
     */
    Session openSession() throws IOException, InterruptedException {
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
    private static void pump(OutputTail tail, InputStream in, AtomicReference<String> pgid) {
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
    private void kill(AtomicReference<String> pgidHolder) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (pgidHolder.get() == null && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        String pgid = pgidHolder.get();
        if (pgid == null || !pgid.matches("\\d+")) {
            return;
        }
        try (Session s = openSession()) {
            String kill = "kill -TERM -- -" + pgid + " 2>/dev/null; sleep 1; kill -KILL -- -" + pgid + " 2>/dev/null; true";
            // the login shell's kill as it is; through sudo, bash's (dash's kill takes no "--")
            Session.Command k = s.exec(privilege.active() ? privilege.wrap("bash -c " + ShellQuote.quote(kill)) : kill);
            privilege.sendPassword(k.getOutputStream());
            k.join(5, TimeUnit.SECONDS);
        } catch (IOException ignored) {
            // best effort: the connection itself may be the problem
        }
    }
}

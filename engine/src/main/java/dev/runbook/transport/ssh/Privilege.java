package dev.runbook.transport.ssh;

import dev.runbook.template.ShellQuote;
import dev.runbook.transport.TransportException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import net.schmizz.sshj.SSHClient;
import net.schmizz.sshj.connection.channel.direct.Session;

/**
 * How commands on one host gain root (Ansible's {@code become}): not at all, or through sudo, with
 * or without a password. A password only ever travels on a command's stdin ({@code sudo -S}),
 * never on a command line; whether this host's sudo wants one is asked once, at connect
 * ({@link #probe}), so a host with NOPASSWD rules is never sent one.
 */
final class Privilege {
    /** Commands run as the login user. */
    static final Privilege NONE = new Privilege(null, null, false);

    private final String user;
    private final char[] password;
    private final boolean sudo;

    private Privilege(String user, char[] password, boolean sudo) {
        this.user = user;
        this.password = password;
        this.sudo = sudo;
    }

    /** True when commands run through sudo. */
    boolean active() {
        return sudo;
    }

    /** The user commands run as through sudo (root when the inventory names none). */
    String user() {
        return user == null ? "root" : user;
    }

    /** {@code command} (one shell word list) as this host runs it: through sudo when active. */
    String wrap(String command) {
        if (!sudo) {
            return command;
        }
        String as = user == null ? "" : "-u " + ShellQuote.quote(user) + " ";
        return (password != null ? "sudo -S -p '' " : "sudo -n ") + as + "-- " + command;
    }

    /** Writes the password line to a command's stdin when {@link #wrap} made it read one. */
    void sendPassword(OutputStream stdin) throws IOException {
        if (sudo && password != null) {
            byte[] line = (new String(password) + "\n").getBytes(StandardCharsets.UTF_8);
            stdin.write(line);
            stdin.flush();
            java.util.Arrays.fill(line, (byte) 0);
        }
    }

    /**
     * Asks the host, in one session, whether sudo works for this login and whether it wants a
     * password; the result to use for every later command. Fails, naming the host and the reason
     * (a wrong password, no sudo rights, requiretty, no password given where one is needed), so a
     * run stops before its first step.
     */
    static Privilege probe(String host, SSHClient client, String becomeUser, char[] password) {
        String as = becomeUser == null ? "" : "-u " + ShellQuote.quote(becomeUser) + " ";
        // -n first: a NOPASSWD host never reads a password; then -S with the password on stdin
        String probe = "sudo -n " + as + "true 2>/dev/null && echo runbook-sudo:nopasswd && exit 0; "
                + (password == null ? "sudo -n " + as + "true; exit 1"
                : "sudo -S -p '' " + as + "true && echo runbook-sudo:passwd");
        String out;
        String err;
        Integer status;
        try (Session s = client.startSession()) {
            Session.Command cmd = s.exec(probe);
            if (password != null) {
                new Privilege(becomeUser, password, true).sendPassword(cmd.getOutputStream());
            }
            cmd.getOutputStream().close();
            ByteArrayOutputStream o = new ByteArrayOutputStream();
            ByteArrayOutputStream e = new ByteArrayOutputStream();
            Thread drainErr = new Thread(() -> {
                try {
                    cmd.getErrorStream().transferTo(e);
                } catch (IOException ignored) {
                    // what was read is enough for the message
                }
            }, "sudo-probe-" + host);
            drainErr.setDaemon(true);
            drainErr.start();
            cmd.getInputStream().transferTo(o);
            drainErr.join(10_000);
            cmd.join(10, TimeUnit.SECONDS);
            out = o.toString(StandardCharsets.UTF_8);
            err = e.toString(StandardCharsets.UTF_8).trim();
            status = cmd.getExitStatus();
        } catch (IOException e) {
            throw new TransportException(host, "checking sudo failed: " + e.getMessage(), "the host or its sshd went away", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TransportException(host, "checking sudo was interrupted", null, e);
        }
        if (status != null && status == 0 && out.contains("runbook-sudo:nopasswd")) {
            return new Privilege(becomeUser, null, true);
        }
        if (status != null && status == 0 && out.contains("runbook-sudo:passwd")) {
            return new Privilege(becomeUser, password, true);
        }
        throw new TransportException(host, "sudo does not work for this login: " + reason(err, password != null),
                hint(err, password != null), null);
    }

    private static String reason(String err, boolean gavePassword) {
        String e = err.toLowerCase(java.util.Locale.ROOT);
        if (e.contains("tty")) {
            return "sudo requires a terminal (requiretty)";
        }
        if (e.contains("not in the sudoers") || e.contains("not allowed") || e.contains("may not run sudo")) {
            return "the user has no sudo rights";
        }
        if (e.contains("incorrect password") || e.contains("sorry, try again") || (gavePassword && e.contains("password"))) {
            return "the sudo password was refused";
        }
        if (e.contains("password is required") || e.contains("password")) {
            return "sudo wants a password and none was given";
        }
        if (e.contains("command not found") || e.contains("not found")) {
            return "sudo is not installed";
        }
        return err.isEmpty() ? "sudo failed without a message" : err.lines().findFirst().orElse(err);
    }

    private static String hint(String err, boolean gavePassword) {
        String r = reason(err, gavePassword);
        if (r.contains("terminal")) {
            return "remove 'Defaults requiretty' for this user on the host (visudo); runbook never allocates a terminal";
        }
        if (r.contains("no sudo rights")) {
            return "grant the login user sudo on the host, or log in as a user that has it (ansible_user)";
        }
        if (r.contains("refused")) {
            return "check ansible_become_password / --ask-become-pass (RUNBOOK_BECOME_PASSWORD) for this host";
        }
        if (r.contains("none was given")) {
            return "give it with --ask-become-pass, RUNBOOK_BECOME_PASSWORD, or ansible_become_password in the inventory";
        }
        return "run 'sudo true' as this user on the host to see why";
    }
}

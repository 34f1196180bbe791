package dev.runbook.transport.ssh;

import dev.runbook.template.ShellQuote;
import dev.runbook.transport.ExecOptions;
import dev.runbook.transport.ExecResult;
import dev.runbook.transport.TransportException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import java.util.function.BiFunction;
import java.util.function.Consumer;

/**
 * A host's files as root, for a login with {@code become}: SFTP works as the login user, so a
 * file to the host is written into the login user's private staging dir ({@link SftpFiles#staging},
 * mode 700) and moved into place by root; a file from the host is streamed out of {@code sudo cat}
 * in a session of its own (nothing is copied on the host).
 */
final class RootFiles {
    private final String host;
    private final SftpFiles sftp;
    private final SessionExec sessions;
    private final Privilege privilege;
    /** Runs a command as root the way the transport runs every command (the persistent shell when it runs). */
    private final BiFunction<String, ExecOptions, ExecResult> exec;

    RootFiles(String host, SftpFiles sftp, SessionExec sessions, Privilege privilege, BiFunction<String, ExecOptions, ExecResult> exec) {
        this.host = host;
        this.sftp = sftp;
        this.sessions = sessions;
        this.privilege = privilege;
        this.exec = exec;
    }

    void upload(Path local, String remotePath) {
        install(remotePath, stage -> sftp.upload(local, stage));
    }

    void upload(byte[] content, String remotePath) {
        install(remotePath, stage -> sftp.upload(content, stage));
    }

    /**
     * Writes the file to the staging dir, then root moves it to {@code remotePath} and makes it
     * root's (the callers then check its sha256 and set mode and owner as root, as without become).
     */
    private void install(String remotePath, Consumer<String> write) {
        if (!privilege.user().equals("root")) {
            throw new TransportException(host, "cannot install " + remotePath + " as " + privilege.user() + ": file transfers with become go through root",
                    "use become_user root (the default) for hosts that copy, template, edit or fetch files", null);
        }
        String stage = sftp.staging() + "/" + UUID.randomUUID();
        try {
            write.accept(stage);
            ExecResult r = exec.apply("mv -f -- " + ShellQuote.quote(stage) + " " + ShellQuote.quote(remotePath)
                    + " && chown 0:0 -- " + ShellQuote.quote(remotePath), ExecOptions.of(Duration.ofMinutes(30)));
            if (!r.ok()) {
                throw new TransportException(host, "upload to " + remotePath + " failed: "
                        + (r.stderr().isBlank() ? "exit " + r.exitCode() : r.stderr().trim()), "does the directory exist?", null);
            }
        } finally {
            sftp.remove(stage);
        }
    }

    void download(String remotePath, Path local) {
        try (OutputStream out = Files.newOutputStream(local)) {
            cat(remotePath, out);
        } catch (IOException e) {
            throw new TransportException(host, "download of " + remotePath + " failed: " + e.getMessage(), null, e);
        }
    }

    byte[] read(String remotePath) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        cat(remotePath, out);
        return out.toByteArray();
    }

    private void cat(String remotePath, OutputStream out) {
        try {
            SessionExec.Streamed s = sessions.stream("cat -- " + ShellQuote.quote(remotePath), out);
            if (s.exit() != 0) {
                throw new TransportException(host, "reading " + remotePath + " failed: " + (s.stderr().isEmpty() ? "exit " + s.exit() : s.stderr()),
                        "does the file exist?", null);
            }
        } catch (IOException e) {
            throw new TransportException(host, "reading " + remotePath + " failed: " + e.getMessage(), null, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TransportException(host, "reading " + remotePath + " was interrupted", null, e);
        }
    }
}

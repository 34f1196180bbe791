package dev.runbook.transport.ssh;

import dev.runbook.transport.TransportException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.EnumSet;
import net.schmizz.sshj.SSHClient;
import net.schmizz.sshj.sftp.FileAttributes;
import net.schmizz.sshj.sftp.FileMode;
import net.schmizz.sshj.sftp.OpenMode;
import net.schmizz.sshj.sftp.RemoteFile;
import net.schmizz.sshj.sftp.SFTPClient;
import net.schmizz.sshj.xfer.FileSystemFile;

/**
 * A host's files over ONE SFTP channel, as the login user: uploads in the server's largest writes
 * ({@link SftpWrites}), reads, downloads, and an install without a process (setstat + OpenSSH's
 * posix-rename). Every failure is a {@link TransportException} naming the host.
 */
final class SftpFiles {
    private final String host;
    private final String user;
    private final SSHClient client;
    private SFTPClient sftp;
    private int writeSize;
    private String staging;

    SftpFiles(String host, String user, SSHClient client) {
        this.host = host;
        this.user = user;
        this.client = client;
    }

    /** The channel, opened on first use. */
    synchronized SFTPClient channel() throws IOException {
        if (sftp == null) {
            sftp = client.newSFTPClient();
        }
        return sftp;
    }

    /** The SFTP write size of this connection (asked once, see {@link SftpWrites}). */
    synchronized int writeSize() throws IOException {
        if (writeSize == 0) {
            writeSize = SftpWrites.writeSize(channel().getSFTPEngine());
            dev.runbook.trace.Trace.line("sftp", "%s write size %d", host, writeSize);
        }
        return writeSize;
    }

    void upload(Path local, String remotePath) {
        try {
            SftpWrites.upload(channel(), writeSize(), local, remotePath);
        } catch (IOException e) {
            throw new TransportException(host, "upload to " + remotePath + " failed: " + e.getMessage(),
                    "does the directory exist and is it writable by " + user + "?", e);
        }
    }

    void upload(byte[] content, String remotePath) {
        try {
            SftpWrites.write(channel(), new java.io.ByteArrayInputStream(content), remotePath, FileAttributes.EMPTY, writeSize());
        } catch (IOException e) {
            throw new TransportException(host, "writing " + remotePath + " failed: " + e.getMessage(),
                    "does the directory exist and is it writable by " + user + "?", e);
        }
    }

    /** See {@link dev.runbook.transport.Transport#moveInto}; false when the server has no posix-rename. */
    boolean moveInto(String temp, String dest, Integer mode) {
        try {
            SFTPClient s = channel();
            if (!s.getSFTPEngine().supportsServerExtension("posix-rename", "openssh.com")) {
                return false;
            }
            FileAttributes existing = s.statExistence(dest);
            FileAttributes.Builder attrs = new FileAttributes.Builder();
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
            throw new TransportException(host, "moving " + temp + " to " + dest + " failed: " + e.getMessage(),
                    "is " + dest + " a directory, or not writable by " + user + "?", e);
        }
    }

    void download(String remotePath, Path local) {
        try {
            channel().get(remotePath, new FileSystemFile(local.toFile()));
        } catch (IOException e) {
            throw new TransportException(host, "download of " + remotePath + " failed: " + e.getMessage(), null, e);
        }
    }

    byte[] read(String remotePath) {
        try (RemoteFile f = channel().open(remotePath, EnumSet.of(OpenMode.READ));
             InputStream in = f.new RemoteFileInputStream(0)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new TransportException(host, "reading " + remotePath + " failed: " + e.getMessage(), "does the file exist?", e);
        }
    }

    /** Removes a file, ignoring one that is already gone. */
    void remove(String remotePath) {
        try {
            if (channel().statExistence(remotePath) != null) {
                channel().rm(remotePath);
            }
        } catch (IOException ignored) {
            // a leftover in the login user's own private dir, removed by the next run's use of it
        }
    }

    /**
     * A private directory of the login user's ({@code ~/.runbook-staging}, mode 700): files for or
     * from a {@code become} host pass through it, never through a directory others can read. A
     * symlink or a non-directory there is refused, never followed.
     */
    synchronized String staging() {
        if (staging != null) {
            return staging;
        }
        String name = ".runbook-staging";
        try {
            SFTPClient s = channel();
            FileAttributes a = s.lstat(name);
            if (a.getType() != FileMode.Type.DIRECTORY) {
                throw new TransportException(host, "~/" + name + " exists and is not a directory (" + a.getType() + ")",
                        "remove it on the host; runbook stages files for sudo there", null);
            }
            staging = s.canonicalize(name);
        } catch (net.schmizz.sshj.sftp.SFTPException missing) {
            try {
                channel().mkdir(name);
                channel().setattr(name, new FileAttributes.Builder().withPermissions(0700).build());
                staging = channel().canonicalize(name);
            } catch (IOException e) {
                throw new TransportException(host, "cannot create ~/" + name + ": " + e.getMessage(),
                        "is the login user's home directory writable?", e);
            }
        } catch (IOException e) {
            throw new TransportException(host, "cannot prepare ~/" + name + ": " + e.getMessage(), null, e);
        }
        try {
            channel().setattr(staging, new FileAttributes.Builder().withPermissions(0700).build());
        } catch (IOException e) {
            throw new TransportException(host, "cannot make " + staging + " private: " + e.getMessage(), null, e);
        }
        return staging;
    }
}

package dev.runbook.transport.ssh;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.concurrent.TimeUnit;
import net.schmizz.sshj.sftp.FileAttributes;
import net.schmizz.sshj.sftp.OpenMode;
import net.schmizz.sshj.sftp.PacketType;
import net.schmizz.sshj.sftp.RemoteFile;
import net.schmizz.sshj.sftp.Response;
import net.schmizz.sshj.sftp.SFTPClient;
import net.schmizz.sshj.sftp.SFTPEngine;

/**
 * Writes files over SFTP in the largest requests the server accepts. sshj sizes every write to one
 * SSH packet (~32 KiB), so a 1 GB upload is ~32,000 requests, each answered by a status the
 * reader thread decrypts and the host's sftp-server answers with a write syscall. OpenSSH (8.6+)
 * states its limit in the {@code limits@openssh.com} extension (255 KiB writes), eight times
 * fewer requests; servers that do not state one get sshj's size, which every server accepts.
 */
final class SftpWrites {
    /** The size every SFTP server must accept in one request (draft-ietf-secsh-filexfer: 34000 bytes with headers). */
    static final int SAFE_WRITE = 32 * 1024 - 512;
    /** Never more than this per request, whatever a server states (OpenSSH's own client stays at 255 KiB too). */
    static final int MAX_WRITE = 255 * 1024;
    /**
     * Bytes in flight per file: ~512 KiB (two of OpenSSH's 255 KiB writes). Not sshd's whole 2 MiB
     * window: where the host's side is the slower one (loopback, a LAN), everything in flight
     * queues in sshd, which grows that channel's buffer to hold it, copying it whole at each step
     * (the host's sshd spent ~1 CPU-s in memmove and page faults on a connection's first 100 MiB
     * with 2 MiB in flight; its first upload took 1.5-2.0 s against 0.8-1.0 s with 512 KiB, and
     * later uploads were no faster with more). The cost: at a round trip of r, at most 512 KiB/r
     * (250 MiB/s at 2 ms).
     */
    static final int IN_FLIGHT_BYTES = 512 << 10;
    private static final String LIMITS = "limits@openssh.com";

    private SftpWrites() {
    }

    /** The write size to use on this SFTP channel: the server's stated limit, capped, or {@link #SAFE_WRITE}. */
    static int writeSize(SFTPEngine engine) {
        // sshj keys the server's extensions as name@domain; this one's version is "1"
        if (!"1".equals(engine.getServerExtensionData("limits", "openssh.com"))) {
            return SAFE_WRITE;
        }
        try {
            Response r = engine.request(engine.newExtendedRequest(LIMITS)).retrieve(engine.getTimeoutMs(), TimeUnit.MILLISECONDS);
            if (r.getType() != PacketType.EXTENDED_REPLY) {
                return SAFE_WRITE;
            }
            r.readUInt64(); // max packet length
            r.readUInt64(); // max read length
            long maxWrite = r.readUInt64();
            return chosen(maxWrite);
        } catch (IOException | RuntimeException e) {
            // a server that advertises the extension but cannot answer it still takes small writes
            return SAFE_WRITE;
        }
    }

    /** The write size for a server's stated max-write-length (0: the server states none). */
    static int chosen(long maxWrite) {
        if (maxWrite <= 0) {
            return SAFE_WRITE;
        }
        return (int) Math.max(SAFE_WRITE, Math.min(MAX_WRITE, maxWrite));
    }

    /**
     * How many writes of {@code size} bytes may wait for their answer while the next one is sent
     * (sshj's {@code maxUnconfirmedWrites}; one more than this is in flight): about
     * {@link #IN_FLIGHT_BYTES} in all, never fewer than two writes.
     */
    static int unconfirmed(int size) {
        return Math.max(1, IN_FLIGHT_BYTES / size - 1);
    }

    /** Writes {@code in} to a new (or truncated) {@code remotePath}, in requests of {@code size} bytes. */
    static void write(SFTPClient sftp, InputStream in, String remotePath, FileAttributes createAttrs, int size) throws IOException {
        try (RemoteFile f = sftp.open(remotePath, EnumSet.of(OpenMode.WRITE, OpenMode.CREAT, OpenMode.TRUNC), createAttrs);
             OutputStream os = f.new RemoteFileOutputStream(0, unconfirmed(size))) {
            // each write(...) is one SFTP request (sshj copies the bytes into it before returning)
            byte[] buf = new byte[size];
            while (true) {
                int n = in.readNBytes(buf, 0, size);
                if (n > 0) {
                    os.write(buf, 0, n);
                }
                if (n < size) {
                    break;
                }
            }
        }
    }

    /** Uploads a local file with the attributes sshj's own upload gives it: mode 0644, the file's mtime. */
    static void upload(SFTPClient sftp, int size, Path local, String remotePath) throws IOException {
        FileAttributes create = new FileAttributes.Builder().withPermissions(0644).build();
        try (InputStream in = Files.newInputStream(local)) {
            write(sftp, in, remotePath, create, size);
        }
        long mtime = local.toFile().lastModified() / 1000;
        sftp.setattr(remotePath, new FileAttributes.Builder().withPermissions(0644)
                .withAtimeMtime(System.currentTimeMillis() / 1000, mtime).build());
    }
}

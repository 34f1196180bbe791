package dev.runbook.transport.ssh;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import net.schmizz.sshj.sftp.OpenMode;
import net.schmizz.sshj.sftp.RemoteFile;
import net.schmizz.sshj.sftp.SFTPClient;

/**
 * What the remote shell kept of one command's stdout or stderr: the last bytes of its output file
 * on the host, read over SFTP, and the file's whole size.
 */
record ShellOutputFile(String text, long total) {
    /**
     * The last {@code keep} bytes of the file at {@code path} and its size ({@code knownSize} -1:
     * unknown, asked over SFTP): bounded however much the command printed; no round trip at all
     * (not even opening the SFTP channel) for an empty output.
     */
    static ShellOutputFile read(RemoteShell.SftpSource sftp, String path, long knownSize, int keep) throws IOException {
        if (knownSize == 0) {
            return new ShellOutputFile("", 0);
        }
        SFTPClient c = sftp.get();
        long size = knownSize > 0 ? knownSize : c.stat(path).getSize();
        if (size == 0) {
            return new ShellOutputFile("", 0);
        }
        long from = Math.max(0, size - keep);
        byte[] buf = new byte[(int) (size - from)];
        try (RemoteFile f = c.open(path, EnumSet.of(OpenMode.READ))) {
            int off = 0;
            while (off < buf.length) {
                int n = f.read(from + off, buf, off, buf.length - off);
                if (n < 0) {
                    break;
                }
                off += n;
            }
        }
        String text = new String(buf, StandardCharsets.UTF_8);
        return new ShellOutputFile(from > 0 ? "[... " + from + " bytes dropped ...]\n" + text : text, size);
    }
}

package dev.runbook.action.etcd;

import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * An etcd snapshot file: the bbolt database followed by a 32-byte sha256 of it (what
 * {@code etcdctl snapshot restore} checks). A truncated or altered file fails {@link #verify}.
 */
final class SnapshotFile {
    private SnapshotFile() {
    }

    /** Checks the trailer; returns the sha256 of the whole file (the value for the .sha256 sidecar). */
    static String verify(Path file) throws IOException {
        long size = Files.size(file);
        if (size <= 32 + 4096) {
            throw new IOException(file + " is " + size + " bytes: too small to be an etcd snapshot (truncated?)");
        }
        MessageDigest body = sha256();
        MessageDigest whole = sha256();
        byte[] buf = new byte[1 << 20];
        long remaining = size - 32;
        try (InputStream in = Files.newInputStream(file)) {
            while (remaining > 0) {
                int n = in.read(buf, 0, (int) Math.min(buf.length, remaining));
                if (n < 0) {
                    throw new IOException(file + " ended early");
                }
                body.update(buf, 0, n);
                whole.update(buf, 0, n);
                remaining -= n;
            }
            byte[] trailer = in.readNBytes(32);
            whole.update(trailer);
            byte[] expected = body.digest();
            if (!MessageDigest.isEqual(expected, trailer)) {
                throw new IOException(file + " fails its integrity check: the sha256 trailer does not match the data"
                        + " (truncated, altered, or not a snapshot taken with 'snapshot save')");
            }
        }
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
            byte[] magic = new byte[4];
            // bbolt: page 0 is a meta page; its magic 0xED0CDAED (little endian) follows the 16-byte page header
            raf.seek(16);
            raf.readFully(magic);
            if (!(magic[0] == (byte) 0xED && magic[1] == (byte) 0xDA && magic[2] == (byte) 0x0C && magic[3] == (byte) 0xED)) {
                throw new IOException(file + " has a valid trailer but is not a bbolt database");
            }
        }
        return HexFormat.of().formatHex(whole.digest());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

package dev.runbook.transport;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Drains a stream completely while keeping only its last {@code keep} bytes, so a command that
 * prints gigabytes costs bounded memory; {@link #total()} says how much was dropped.
 */
public final class OutputTail {
    private final byte[] ring;
    private long total;

    public OutputTail(int keep) {
        this.ring = new byte[Math.max(1, keep)];
    }

    /** Reads {@code in} to its end. */
    public OutputTail drain(InputStream in) throws IOException {
        byte[] buf = new byte[16384];
        int n;
        while ((n = in.read(buf)) >= 0) {
            append(buf, n);
        }
        return this;
    }

    synchronized void append(byte[] buf, int n) {
        for (int i = 0; i < n; i++) {
            ring[(int) ((total + i) % ring.length)] = buf[i];
        }
        total += n;
    }

    public synchronized long total() {
        return total;
    }

    /** The kept tail as text; prefixed with a note when the start was dropped. */
    public synchronized String text() {
        if (total <= ring.length) {
            return new String(ring, 0, (int) total, StandardCharsets.UTF_8);
        }
        int start = (int) (total % ring.length);
        byte[] out = new byte[ring.length];
        System.arraycopy(ring, start, out, 0, ring.length - start);
        System.arraycopy(ring, 0, out, ring.length - start, start);
        return "[... " + (total - ring.length) + " bytes dropped ...]\n" + new String(out, StandardCharsets.UTF_8);
    }
}

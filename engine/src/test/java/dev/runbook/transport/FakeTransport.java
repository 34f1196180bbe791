package dev.runbook.transport;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * A recording transport for executor and action tests: every command is logged (globally ordered)
 * and answered by a script; files live in an in-memory map.
 */
public final class FakeTransport implements Transport {
    /** One executed command, with the time span it ran in. */
    public record Call(String host, String command, long startNanos, long endNanos) {
    }

    private final String host;
    private final List<Call> log;
    private final Function<String, ExecResult> script;
    public final Map<String, byte[]> files = new ConcurrentHashMap<>();

    public FakeTransport(String host, List<Call> log, Function<String, ExecResult> script) {
        this.host = host;
        this.log = log;
        this.script = script;
    }

    /** A shared, thread-safe call log for several fakes. */
    public static List<Call> newLog() {
        return Collections.synchronizedList(new ArrayList<>());
    }

    public static ExecResult ok(String out) {
        return new ExecResult(0, out, "", out.length(), 0, 1, false, false);
    }

    public static ExecResult fail(int rc, String err) {
        return new ExecResult(rc, "", err, 0, err.length(), 1, false, false);
    }

    @Override
    public ExecResult exec(String command, ExecOptions options) {
        long start = System.nanoTime();
        ExecResult r = script.apply(host + ": " + command);
        log.add(new Call(host, command, start, System.nanoTime()));
        return r;
    }

    @Override
    public void upload(Path local, String remotePath) {
        try {
            files.put(remotePath, java.nio.file.Files.readAllBytes(local));
        } catch (java.io.IOException e) {
            throw new TransportException(host, e.getMessage(), null, e);
        }
    }

    @Override
    public void upload(byte[] content, String remotePath) {
        files.put(remotePath, content);
    }

    @Override
    public void download(String remotePath, Path local) {
        throw new UnsupportedOperationException("not faked");
    }

    @Override
    public byte[] read(String remotePath) {
        byte[] b = files.get(remotePath);
        if (b == null) {
            throw new TransportException(host, "no such file " + remotePath, null, null);
        }
        return b;
    }

    @Override
    public String describe() {
        return "fake " + host;
    }

    @Override
    public void close() {
    }
}

package dev.runbook.transport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Runs commands and copies files on the machine running the engine ({@code connection: local}, the {@code control} host). */
public final class LocalTransport implements Shortcuts {
    private final String name;

    public LocalTransport(String name) {
        this.name = name;
    }

    @Override
    public ExecResult exec(String command, ExecOptions options) {
        long start = System.nanoTime();
        Process p;
        try {
            p = new ProcessBuilder("bash", "-e", "-o", "pipefail", "-c", command).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        } catch (IOException e) {
            throw new TransportException(name, "cannot start bash: " + e.getMessage(), null, e);
        }
        OutputTail out = new OutputTail(options.keepBytes());
        OutputTail err = new OutputTail(options.keepBytes());
        CompletableFuture<?> o = CompletableFuture.runAsync(() -> drain(out, p.getInputStream()));
        CompletableFuture<?> e = CompletableFuture.runAsync(() -> drain(err, p.getErrorStream()));
        long deadline = options.timeout() == null ? Long.MAX_VALUE : start + options.timeout().toNanos();
        boolean timedOut = false;
        boolean cancelled = false;
        try {
            while (!p.waitFor(50, TimeUnit.MILLISECONDS)) {
                if (System.nanoTime() > deadline) {
                    timedOut = true;
                } else if (options.cancelled().getAsBoolean()) {
                    cancelled = true;
                }
                if (timedOut || cancelled) {
                    p.descendants().forEach(ProcessHandle::destroyForcibly);
                    p.destroyForcibly();
                    p.waitFor();
                    break;
                }
            }
            o.join();
            e.join();
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            cancelled = true;
        }
        int code = timedOut || cancelled ? -1 : p.exitValue();
        return new ExecResult(code, out.text(), err.text(), out.total(), err.total(),
                (System.nanoTime() - start) / 1_000_000, timedOut, cancelled);
    }

    private static void drain(OutputTail tail, java.io.InputStream in) {
        try (in) {
            tail.drain(in);
        } catch (IOException ignored) {
            // the process was killed; what was read so far is kept
        }
    }

    @Override
    public void upload(Path local, String remotePath) {
        try {
            Files.copy(local, Path.of(remotePath), StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new TransportException(name, "cannot write " + remotePath + ": " + e.getMessage(), null, e);
        }
    }

    @Override
    public void upload(byte[] content, String remotePath) {
        try {
            Files.write(Path.of(remotePath), content);
        } catch (IOException e) {
            throw new TransportException(name, "cannot write " + remotePath + ": " + e.getMessage(), null, e);
        }
    }

    @Override
    public boolean moveInto(String temp, String dest, Integer mode) {
        if (!java.nio.file.FileSystems.getDefault().supportedFileAttributeViews().contains("unix")) {
            return false;
        }
        Path t = Path.of(temp);
        Path d = Path.of(dest);
        try {
            Integer bits = mode;
            java.util.Map<String, Object> existing = Files.exists(d) ? Files.readAttributes(d, "unix:mode,uid,gid") : null;
            if (bits == null && existing != null) {
                bits = (Integer) existing.get("mode") & 07777;
            }
            if (bits != null) {
                Files.setAttribute(t, "unix:mode", bits);
            }
            if (existing != null) {
                Files.setAttribute(t, "unix:uid", existing.get("uid"));
                Files.setAttribute(t, "unix:gid", existing.get("gid"));
            }
            // rename(2) itself: replaces a file or symlink at dest, fails on a directory (no move INTO it)
            Files.move(t, d, StandardCopyOption.ATOMIC_MOVE);
            return true;
        } catch (IOException | RuntimeException e) {
            throw new TransportException(name, "cannot move " + temp + " to " + dest + ": " + e, null, e);
        }
    }

    @Override
    public void download(String remotePath, Path local) {
        try {
            Files.copy(Path.of(remotePath), local, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new TransportException(name, "cannot read " + remotePath + ": " + e.getMessage(), null, e);
        }
    }

    @Override
    public byte[] read(String remotePath) {
        try {
            return Files.readAllBytes(Path.of(remotePath));
        } catch (IOException e) {
            throw new TransportException(name, "cannot read " + remotePath + ": " + e.getMessage(), null, e);
        }
    }

    @Override
    public String describe() {
        return "local";
    }

    @Override
    public void close() {
    }
}

package dev.runbook.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Runs a process (the real runbook CLI, lab scripts, etcdctl) and collects its exit code and output. */
final class Cmd {
    record Result(int exit, String out, String err) {
        String all() {
            return out + err;
        }
    }

    private Cmd() {
    }

    static Result run(Path cwd, List<String> command, int timeoutSeconds) throws IOException, InterruptedException {
        return run(cwd, command, timeoutSeconds, Map.of(), null);
    }

    /** With more environment ({@code extraEnv}; a null value removes the variable) and {@code stdin} text (null: none). */
    static Result run(Path cwd, List<String> command, int timeoutSeconds, Map<String, String> extraEnv, String stdin)
            throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).directory(cwd.toFile());
        Map<String, String> env = pb.environment();
        if (Lab.production()) {
            // the production shape's key is only in the lab's agent, as an operator's is in theirs
            env.put("SSH_AUTH_SOCK", Lab.agentSocket().toString());
        }
        extraEnv.forEach((k, v) -> {
            if (v == null) {
                env.remove(k);
            } else {
                env.put(k, v);
            }
        });
        env.put("RUNBOOK_LAB_PREFIX", Lab.PREFIX);
        env.put("RUNBOOK_LAB_DIR", Lab.STATE.toString());
        env.put("RUNBOOK_LAB_INVENTORY", Lab.INVENTORY.toString());
        Process p = pb.start();
        try (java.io.OutputStream in = p.getOutputStream()) {
            if (stdin != null) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
        }
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            throw new AssertionError("timed out after " + timeoutSeconds + "s: " + command);
        }
        return new Result(p.exitValue(), out.join(), err.join());
    }

    private static String read(java.io.InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    /** Starts the real CLI without waiting (for signal tests); output goes to {@code log}. */
    static Process start(Path log, String... args) throws IOException {
        return start(log, Map.of(), args);
    }

    /** As {@link #start(Path, String...)} with more environment. */
    static Process start(Path log, Map<String, String> extraEnv, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("java", "-jar", System.getProperty("runbook.jar",
                Lab.REPO.resolve("engine/target/runbook.jar").toString())));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(Lab.REPO.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().putAll(extraEnv);
        return pb.start();
    }

    /** The real CLI, as an operator runs it: java -jar engine/target/runbook.jar ARGS, from the repo root. */
    static Result runbook(String... args) throws IOException, InterruptedException {
        return runbookWith(Map.of(), null, args);
    }

    /** The real CLI with more environment (null values removed) and stdin text. */
    static Result runbookWith(Map<String, String> extraEnv, String stdin, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("java", "-jar", System.getProperty("runbook.jar",
                Lab.REPO.resolve("engine/target/runbook.jar").toString())));
        cmd.addAll(List.of(args));
        return run(Lab.REPO, cmd, 300, extraEnv, stdin);
    }
}

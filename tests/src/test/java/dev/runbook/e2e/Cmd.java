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
        ProcessBuilder pb = new ProcessBuilder(command).directory(cwd.toFile());
        Map<String, String> env = pb.environment();
        env.put("RUNBOOK_LAB_PREFIX", Lab.PREFIX);
        env.put("RUNBOOK_LAB_DIR", Lab.STATE.toString());
        env.put("RUNBOOK_LAB_INVENTORY", Lab.INVENTORY.toString());
        Process p = pb.start();
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
        List<String> cmd = new ArrayList<>(List.of("java", "-jar", System.getProperty("runbook.jar",
                Lab.REPO.resolve("engine/target/runbook.jar").toString())));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).directory(Lab.REPO.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    /** The real CLI, as an operator runs it: java -jar engine/target/runbook.jar ARGS, from the repo root. */
    static Result runbook(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("java", "-jar", System.getProperty("runbook.jar",
                Lab.REPO.resolve("engine/target/runbook.jar").toString())));
        cmd.addAll(List.of(args));
        return run(Lab.REPO, cmd, 300);
    }
}

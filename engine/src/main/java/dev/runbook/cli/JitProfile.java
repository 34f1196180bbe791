package dev.runbook.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import sun.misc.Signal;

/**
 * Picks the JVM's compiler profile of a run from its plan. The launcher starts {@code apply} and
 * {@code resume} with C1 alone, the least compile work: on 2 cores a small restore ran ~1.1 s and
 * a one-step run on 100 hosts ~1 s faster than under the C2 profile, which compiled ~5 CPU-seconds
 * in a 5-second run. Only C2 has the AES-GCM and SHA-256 intrinsics, though (C1: ~30 and ~110 MiB/s),
 * so a plan that moves bulk data through the JVM's own crypto (32 MiB or more, or a snapshot or
 * fetch whose size is known only at run time) is run again, before anything ran, in a child JVM
 * with the C2 profile the launcher passes in {@code RUNBOOK_C2_OPTS}. The child never outlives
 * this process: it halts when its parent is gone (SIGKILL included); SIGTERM and SIGHUP are
 * passed on; Ctrl-C reaches the child from the terminal itself.
 */
final class JitProfile {
    static final long BULK_THRESHOLD = 32L << 20;
    private static final String C2_OPTS = "RUNBOOK_C2_OPTS";
    private static final String CHILD = "RUNBOOK_JIT_CHILD";

    private JitProfile() {
    }

    /** Whether a plan moving {@code bulk} bytes (-1: unknown) wants the C2 profile. */
    static boolean wantsC2(long bulk) {
        return bulk < 0 || bulk >= BULK_THRESHOLD;
    }

    /**
     * Null when the run stays in this JVM; else the exit code of the same command, run in a child
     * JVM with the C2 profile. Called after planning, before the journal, the lock or any host.
     */
    static Integer relaunchIfBulk(long bulk) {
        String opts = System.getenv(C2_OPTS);
        if (opts == null || opts.isBlank() || System.getenv(CHILD) != null || !wantsC2(bulk) || Main.argv() == null) {
            return null;
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(Arrays.asList(opts.trim().split("\\s+")));
        // -Drunbook.state=... and the like: the child must see what this JVM saw
        for (String a : java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (a.startsWith("-D")) {
                cmd.add(a);
            }
        }
        cmd.add("-jar");
        cmd.add(System.getProperty("java.class.path"));
        cmd.addAll(Main.argv());
        ProcessBuilder pb = new ProcessBuilder(cmd).inheritIO();
        pb.environment().remove(C2_OPTS);
        pb.environment().put(CHILD, "1");
        dev.runbook.trace.Trace.line("jit", "bulk=%s: running in a C2 JVM", bulk < 0 ? "unknown" : bulk + " bytes");
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            return null; // no second JVM: run here, slower but the same
        }
        for (String name : new String[] {"TERM", "HUP"}) {
            try {
                Signal.handle(new Signal(name), sig -> p.destroy());
            } catch (IllegalArgumentException ignored) {
                // not on this platform
            }
        }
        try {
            // the terminal sends Ctrl-C to the child too; this JVM must not die of it first
            Signal.handle(new Signal("INT"), sig -> { });
        } catch (IllegalArgumentException ignored) {
            // not on this platform
        }
        while (true) {
            try {
                return p.waitFor();
            } catch (InterruptedException e) {
                // keep waiting: the child decides how the run ends
            }
        }
    }

    /** In a child JVM: halts it when its parent is gone, so that killing the runbook process kills the run. */
    static void watchParentIfChild() {
        if (System.getenv(CHILD) == null) {
            return;
        }
        ProcessHandle.current().parent().ifPresent(parent -> parent.onExit().thenRun(() -> Runtime.getRuntime().halt(137)));
    }
}

package dev.runbook.run;

import java.nio.file.Path;

/**
 * Where runbook keeps what it remembers on this machine: run journals under {@code runs/}, drills
 * under {@code drills/}. The directory is {@code ./.runbook}, or {@code -Drunbook.state=DIR}.
 */
public record StateDir(Path root) {
    /** The state directory this process uses. */
    public static StateDir current() {
        return new StateDir(Path.of(System.getProperty("runbook.state", ".runbook")));
    }

    /** One directory per run, named by its run id: the journal and everything a report needs. */
    public Path runs() {
        return root.resolve("runs");
    }

    /** One directory per drill (its phases' state and report), and the drill history. */
    public Path drills() {
        return root.resolve("drills");
    }
}

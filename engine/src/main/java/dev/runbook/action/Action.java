package dev.runbook.action;

import java.util.List;

/**
 * One kind of work a step does on one host. Instances are created once per step at parse time
 * (so parameter errors surface before anything runs) and are then used from many threads, one
 * call per host: implementations keep no per-run state in fields.
 *
 * <p>Contract: {@link #describe} renders exactly what {@link #run} would do on that host (commands,
 * file edits, API calls) without touching the host; plans, {@code --check} and change records print
 * it. {@link #run} reports failures as a failed {@link ActionResult}; it throws only for errors
 * that are not the host's answer (missing variable, unreachable host).
 */
public interface Action {
    List<String> describe(StepContext ctx);

    ActionResult run(StepContext ctx);

    /**
     * Prepares, off the critical path, what {@link #run} will need later in the run (classes, TLS
     * material, a first connection's handshake code): called once per step on a background thread
     * when the run starts. It must not change anything anywhere, and it swallows its own failures.
     */
    default void warmUp(StepContext ctx) {
    }

    /**
     * Checks, before any step of the run has run and after every host connected, what this step
     * will need and can check without changing anything (an etcd step: its members' routes and
     * TLS material). Throws {@link dev.runbook.error.RunbookException} to stop the run there.
     * Called once per step, on the step's first host.
     */
    default void preflight(StepContext ctx) {
    }

    /** False for actions that never touch a host (assert, confirm): no connection is needed for them. */
    default boolean remote() {
        return true;
    }
}

package dev.runbook.model;

import dev.runbook.action.Action;
import java.time.Duration;
import java.util.List;

/**
 * One step of a runbook: where it runs, when, how often, and the one action it performs.
 *
 * @param hosts host pattern ("etcd", "etcd-0*", "etcd:!etcd-03") or "control" for the engine's machine
 * @param needs ids of steps that must have completed first (default: the previous step)
 * @param when JEXL condition evaluated per host; null means always
 * @param until JEXL condition on {@code result} that ends the retries; null means "until it succeeds"
 * @param rollback free text for the change record: what to do if this step fails
 * @param action the one action; null for a block
 * @param kind the action's key as written ("run", "confirm", "etcd.health"), "block" for a block
 * @param recovery "quorum" or "healthy" when this step passing marks that point of a recovery (the
 *     report's RTO is measured from the first destructive step to it); null otherwise
 * @param block sub-steps run in order on each host (with {@code rolling}: host by host); null for an action step
 */
public record Step(String id, String name, String hosts, List<String> needs, String when, String register,
                   int retries, Duration delay, String until, Duration timeout, Rolling rolling, boolean destructive,
                   boolean continueOnError, String rollback, Action action, SourceLocation at,
                   SourceLocation hostsAt, SourceLocation needsAt, List<Step> block, String kind, String recovery) {
    public static final String CONTROL = "control";

    public boolean onControl() {
        return CONTROL.equals(hosts);
    }

    public boolean isBlock() {
        return block != null;
    }

    /** Whether running this step needs a connection to its hosts. */
    public boolean remote() {
        return isBlock() ? block.stream().anyMatch(Step::remote) : action.remote();
    }

    public String title() {
        return name != null ? name : id;
    }
}

package dev.runbook.model;

import dev.runbook.action.Action;
import java.time.Duration;
import java.util.List;

/**
 * How a step walks its hosts in batches: batch size, order, and an optional gate between batches.
 *
 * @param order "inventory", "reverse", "list" (explicit names) or "expr" (a JEXL expression giving names)
 */
public record Rolling(int batch, String order, List<String> orderList, String orderExpr, Gate gate, SourceLocation at) {

    /**
     * A check between batches, retried until it passes or times out; it sees {@code rolling.done},
     * {@code rolling.total}, {@code rolling.quorum} and {@code rolling.done_hosts} so it can be quorum-aware.
     *
     * @param when the gate applies only when this holds (e.g. {@code rolling.done >= rolling.quorum})
     * @param hosts "control" (default) or "done" (each host finished so far)
     */
    public record Gate(String when, String hosts, Action action, String until, Duration timeout, Duration delay,
                       SourceLocation at) {
    }
}

package dev.runbook.exec;

import dev.runbook.action.StepContext;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * How to run: parallelism, host limit, the cancellation flag (Ctrl-C/SIGTERM set it), where local
 * paths start, who is asking, and (for resume) which steps already completed.
 *
 * @param forks at most this many step x host executions at once
 * @param resources run-scoped shared clients, closed by whoever created the options
 * @param limit extra host pattern every step's hosts are intersected with (null: none)
 */
public record RunOptions(int forks, String limit, AtomicBoolean cancelled, Path baseDir, String runId,
                         StepContext.Operator operator, Set<String> alreadyDone,
                         dev.runbook.action.RunResources resources) {
}

package dev.runbook.exec;

import dev.runbook.action.Action;
import dev.runbook.action.ActionResult;
import dev.runbook.action.StepContext;
import dev.runbook.error.RunbookException;
import dev.runbook.event.HostResult;
import dev.runbook.event.HostResult.Status;
import dev.runbook.inventory.Host;
import dev.runbook.model.Step;
import dev.runbook.template.Expressions;
import dev.runbook.transport.Connections;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/** Runs one step's action on one host: the {@code when} check, retries with {@code until}, {@code register}. */
final class HostRunner {
    private final Scopes scopes;
    private final Connections connections;
    private final RunOptions options;
    private final Masker masker;
    private final java.util.function.Consumer<String> progress;

    HostRunner(Scopes scopes, Connections connections, RunOptions options, Masker masker, java.util.function.Consumer<String> progress) {
        this.progress = progress;
        this.scopes = scopes;
        this.connections = connections;
        this.options = options;
        this.masker = masker;
    }

    StepContext context(Step step, Host host, Map<String, Object> scope, Duration timeout) {
        String where = "in step '" + step.id() + "' on host '" + host.name() + "'";
        return new StepContext(host, scope, () -> connections.get(host), where, timeout, options.cancelled()::get,
                options.baseDir(), options.runId(), options.operator(), options.resources(), progress);
    }

    HostResult run(Step step, Host host) {
        long start = System.currentTimeMillis();
        Map<String, Object> scope;
        try {
            scope = scopes.forHost(host, false);
            if (step.when() != null && !Expressions.compile(step.when(), step.at()).test(scope, "in 'when' of step '" + step.id() + "'")) {
                return result(step, host, Status.SKIPPED, start, 0, "when: " + step.when() + " is false", 0);
            }
        } catch (RunbookException e) {
            return result(step, host, Status.FAILED, start, -1, e.describe(), 0);
        }
        int attempts = 0;
        ActionResult r = null;
        String error = null;
        boolean success = false;
        while (attempts <= step.retries()) {
            attempts++;
            error = null;
            try {
                r = execute(step.action(), context(step, host, scope, step.timeout()));
            } catch (RunbookException e) {
                r = null;
                error = e.getMessage() + (e.hint() != null ? " (hint: " + e.hint() + ")" : "");
            }
            if (r != null && r.abort()) {
                return withOutput(step, host, Status.ABORTED, start, r, attempts);
            }
            if (r != null) {
                success = !r.failed();
                if (step.until() != null) {
                    Map<String, Object> s = new HashMap<>(scope);
                    s.put("result", r.registered());
                    try {
                        success = Expressions.compile(step.until(), step.at()).test(s, "in 'until' of step '" + step.id() + "'");
                    } catch (RunbookException e) {
                        error = e.getMessage();
                        success = false;
                    }
                }
            }
            if (success || options.cancelled().get() || attempts > step.retries()) {
                break;
            }
            sleep(step.delay());
        }
        if (r == null) {
            return result(step, host, Status.FAILED, start, -1, error, attempts);
        }
        if (step.register() != null) {
            scopes.register(host.name(), step.register(), r.registered());
        }
        Status status = options.cancelled().get() && !success ? Status.ABORTED
                : !success ? Status.FAILED : r.changed() ? Status.CHANGED : Status.OK;
        if (!success && error == null && step.until() != null && !r.failed()) {
            error = "until: " + step.until() + " still false after " + attempts + " attempts";
        }
        HostResult out = withOutput(step, host, status, start, r, attempts);
        return error == null ? out : new HostResult(out.step(), out.host(), out.status(), out.startMillis(), out.millis(), out.rc(),
                masker.mask(error), out.stdout(), out.stderr(), out.attempts(), out.registered());
    }

    /** Runs an action; a transport failure (host gone mid-run) becomes a failed result naming the host. */
    static ActionResult execute(Action action, StepContext ctx) {
        try {
            return action.run(ctx);
        } catch (dev.runbook.transport.TransportException e) {
            return ActionResult.failed(e.getMessage() + (e.hint() != null ? " (hint: " + e.hint() + ")" : ""));
        }
    }

    private HostResult withOutput(Step step, Host host, Status status, long start, ActionResult r, int attempts) {
        Map<String, Object> reg = step.register() == null ? Map.of() : Map.of(step.register(), masker.maskValue(r.registered()));
        return new HostResult(step.id(), host.name(), status, start, System.currentTimeMillis() - start, r.rc(), masker.mask(r.msg()),
                masker.mask(r.stdout()), masker.mask(r.stderr()), attempts, reg);
    }

    private HostResult result(Step step, Host host, Status status, long start, int rc, String msg, int attempts) {
        return new HostResult(step.id(), host.name(), status, start, System.currentTimeMillis() - start, rc, masker.mask(msg),
                "", "", attempts, Map.of());
    }

    static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

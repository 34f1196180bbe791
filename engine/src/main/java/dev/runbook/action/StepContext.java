package dev.runbook.action;

import dev.runbook.inventory.Host;
import dev.runbook.template.Template;
import dev.runbook.transport.ExecOptions;
import dev.runbook.transport.ExecResult;
import dev.runbook.transport.Transport;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Everything an action may use for one step on one host: the host, its variable scope, a lazily
 * opened transport, the step's timeout, the run's cancellation signal and operator interaction.
 */
public final class StepContext {
    private final Host host;
    private final Map<String, Object> scope;
    private final Supplier<Transport> transport;
    private final String where;
    private final Duration timeout;
    private final BooleanSupplier cancelled;
    private final Path baseDir;
    private final String runId;
    private final Operator operator;
    private final RunResources resources;
    private final java.util.function.Consumer<String> progress;

    public StepContext(Host host, Map<String, Object> scope, Supplier<Transport> transport, String where, Duration timeout,
                       BooleanSupplier cancelled, Path baseDir, String runId, Operator operator, RunResources resources,
                       java.util.function.Consumer<String> progress) {
        this.resources = resources;
        this.progress = progress;
        this.host = host;
        this.scope = scope;
        this.transport = transport;
        this.where = where;
        this.timeout = timeout;
        this.cancelled = cancelled;
        this.baseDir = baseDir;
        this.runId = runId;
        this.operator = operator;
    }

    public Host host() {
        return host;
    }

    public Map<String, Object> scope() {
        return scope;
    }

    public Transport transport() {
        return transport.get();
    }

    /** "in step 'x' on host 'y'": for error messages. */
    public String where() {
        return where;
    }

    public Duration timeout() {
        return timeout;
    }

    public boolean cancelled() {
        return cancelled.getAsBoolean();
    }

    /** Directory of the runbook file: relative local paths (copy src, template src) start here. */
    public Path baseDir() {
        return baseDir;
    }

    public String runId() {
        return runId;
    }

    public Operator operator() {
        return operator;
    }

    /** Run-scoped shared resources (etcd clients), closed when the run ends. */
    public RunResources resources() {
        return resources;
    }

    /** Tells the operator how a long action is doing (waits, streams). */
    public void progress(String message) {
        progress.accept(message);
    }

    /** A copy of this context with another timeout (actions that take their own). */
    public StepContext withTimeout(Duration t) {
        return new StepContext(host, scope, transport, where, t, cancelled, baseDir, runId, operator, resources, progress);
    }

    public String render(Template t) {
        return t == null ? null : t.render(scope, where);
    }

    /** Runs a command on the host with the step's timeout and the run's cancellation. */
    public ExecResult exec(String command) {
        return exec(command, timeout);
    }

    public ExecResult exec(String command, Duration limit) {
        return transport().exec(command, new ExecOptions(limit, cancelled, ExecOptions.DEFAULT_KEEP));
    }

    /** Operator interaction (confirm gates); implemented by the CLI. */
    public interface Operator {
        /** True when {@code --yes} was given. */
        boolean assumeYes();

        /** Shows {@code message} and reads one line; null when there is no terminal to ask. */
        String ask(String message);
    }
}

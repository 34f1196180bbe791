package dev.runbook.run;

import dev.runbook.action.HostLinks;
import dev.runbook.action.RunResources;
import dev.runbook.error.ExitCode;
import dev.runbook.error.RunbookException;
import dev.runbook.event.HostResult;
import dev.runbook.event.Listeners;
import dev.runbook.event.RunListener;
import dev.runbook.exec.GraphRunner;
import dev.runbook.exec.Planner;
import dev.runbook.exec.RunOptions;
import dev.runbook.journal.Journal;
import dev.runbook.journal.JournalReader;
import dev.runbook.lock.Holder;
import dev.runbook.lock.HostLock;
import dev.runbook.lock.RunLock;
import dev.runbook.trace.Trace;
import dev.runbook.transport.Connections;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A run that is loaded and planned (every template on every host rendered: all missing variables
 * reported at once) but has touched no host yet; {@link #check} or {@link #execute} it once.
 */
public final class PreparedRun {
    private final StateDir state;
    private final RunRequest request;
    private final RunSetup setup;
    private final String runId;
    private final AtomicBoolean cancelled = new AtomicBoolean();
    private final RunResources resources = new RunResources();
    private final RunOptions options;
    private final Planner planner;
    private final List<Planner.StepPlan> plan;

    /** Loads and plans {@code request}; any problem with the runbook, inventory or inputs is a {@link RunbookException} (exit 2). */
    public static PreparedRun prepare(StateDir state, RunRequest request) {
        return new PreparedRun(state, request);
    }

    private PreparedRun(StateDir state, RunRequest request) {
        this.state = state;
        this.request = request;
        this.runId = Journal.newRunId();
        RunRequest.Resume resume = request.resume();
        String logical = resume != null ? resume.origin() : runId;
        java.util.Map<String, Object> runVars = new java.util.LinkedHashMap<>();
        runVars.put("id", logical);
        runVars.put("timestamp", logical.substring(0, logical.indexOf('-')));
        runVars.put("ticket", request.ticket() == null ? "" : request.ticket());
        runVars.put("check", request.check());
        this.setup = RunSetup.load(request.runbook(), request.inventory(), request.inputs(), request.limit(), runVars);
        if (resume != null) {
            resume.registered().forEach((host, regs) -> regs.forEach((name, value) -> setup.scopes.register(host, name, value)));
        }
        this.options = new RunOptions(request.forks(), request.limit(), cancelled, setup.runbookPath.toAbsolutePath().getParent(), runId,
                request.operator(), resume == null ? java.util.Set.of() : resume.done(), resources);
        this.planner = new Planner(setup.graph, setup.targets, setup.scopes, options);
        this.plan = planner.plan();
    }

    /** The loaded runbook, inventory and scopes. */
    public RunSetup setup() {
        return setup;
    }

    /** What runs where, per step and host, as rendered before anything ran. */
    public List<Planner.StepPlan> plan() {
        return plan;
    }

    /** Bytes the plan moves in bulk (local files to upload; -1: unknown), to pick the JVM's compiler profile. */
    public long bulkBytes() {
        return planner.bulkBytes();
    }

    /** This run's id (its journal's directory name), known before it starts. */
    public String runId() {
        return runId;
    }

    /** Asks the run to stop (Ctrl-C, SIGTERM): in-flight commands are ended, nothing more starts. False when it was asked before. */
    public boolean cancel() {
        return !cancelled.getAndSet(true);
    }

    /**
     * {@code --check}: connects to every host (known host keys, sudo) and runs every step's
     * preflight (etcd members and TLS material), reporting to {@code listener}; changes nothing.
     */
    public void check(RunListener listener) {
        Connections connections = connections();
        try {
            new GraphRunner(setup.graph, setup.targets, setup.scopes, connections, options, listener, setup.masker).connectAll();
        } finally {
            connections.close();
            resources.close();
        }
    }

    /**
     * Runs the step graph: connects to every host, takes the cluster's run lock, runs the steps,
     * and journals all of it under the state dir. {@code display} gets every event too. A problem
     * found before any step ran is thrown as a {@link RunbookException} (journaled as REFUSED when
     * the journal had started).
     */
    public RunOutcome execute(RunListener display) {
        Connections connections = connections();
        Journal journal = new Journal(state.runs(), runId);
        Listeners listener = new Listeners(List.of(display, journal));
        long start = System.currentTimeMillis();
        RunRequest.Resume resume = request.resume();
        listener.runStarted(new RunListener.RunInfo(runId, setup.runbookPath.toString(), setup.runbook.sha256(),
                setup.inventoryPath == null ? null : setup.inventoryPath.toString(), setup.inventory.sha256(), System.getProperty("user.name"),
                request.ticket(), false, setup.printableInputs(), request.recordedArgs(), resume == null ? null : resume.resumedFrom(), start,
                setup.reach()));
        int code;
        String outcome;
        List<HostResult> results = List.of();
        RunLock lock = null;
        try {
            GraphRunner executor = new GraphRunner(setup.graph, setup.targets, setup.scopes, connections, options, listener, setup.masker);
            phase("connecting");
            executor.connectAll(RunLock.COMMANDS_PER_HOST);
            phase("connected");
            // the cluster's hosts; never the control machine (several clusters may share it)
            lock = RunLock.acquire(connections, setup.targets.remoteHosts(setup.graph.order()).stream().filter(h -> !h.local()).toList(),
                    new Holder(runId, setup.runbookPath.getFileName().toString(), System.getProperty("user.name"), HostLock.thisMachine(),
                            ProcessHandle.current().pid(), Instant.now().toString()),
                    resume == null ? null : resume.resumedFrom(), this::ended, listener::message, Math.max(1, request.forks()));
            phase("locked");
            results = executor.run();
            phase("steps done");
            boolean failed = results.stream().anyMatch(r -> r.status() == HostResult.Status.FAILED
                    && !setup.runbook.step(r.step()).map(st -> st.continueOnError()).orElse(false));
            if (executor.aborted()) {
                code = ExitCode.ABORTED.code;
                outcome = cancelled.get() ? "ABORTED (interrupted)" : "ABORTED";
            } else if (failed) {
                code = ExitCode.STEP_FAILED.code;
                outcome = "FAILED";
            } else {
                code = ExitCode.OK.code;
                outcome = "OK";
            }
        } catch (RunbookException e) {
            listener.runFinished(new RunListener.RunSummary(runId, e.exitCode().code, "REFUSED: " + e.getMessage(),
                    System.currentTimeMillis() - start, results));
            journal.close();
            close(lock, connections);
            throw e;
        } catch (RuntimeException | Error e) {
            close(lock, connections);
            throw e;
        }
        long released = System.nanoTime();
        lock.close();
        Trace.line("end", "release=%.0fms", Trace.ms(released, System.nanoTime()));
        // the recap as soon as the lock is released; closing connections is left for after it
        try {
            listener.runFinished(new RunListener.RunSummary(runId, code, outcome, System.currentTimeMillis() - start, results));
            journal.close();
        } finally {
            close(null, connections);
        }
        return new RunOutcome(runId, code, outcome, journal.dir());
    }

    private Connections connections() {
        Connections connections = new Connections(Connections.standard(request.acceptNewHostKeys(), request.connectTimeoutMillis(),
                request.becomePassword().get()));
        // etcd calls made here may go through a member's SSH connection and read its TLS files
        resources.links(HostLinks.of(setup.inventory.hosts().values(), connections::get));
        return connections;
    }

    /** True when this machine's journal of {@code other} records its end (a lock it left is stale). */
    private boolean ended(String other) {
        try {
            return JournalReader.read(state.runs(), other).end() != null;
        } catch (RunbookException e) {
            return false;
        }
    }

    /** When a phase of the run ended (epoch ms, to line up with the caller's clock). */
    private static void phase(String phase) {
        if (Trace.ON) {
            long now = System.currentTimeMillis();
            long jvm = ProcessHandle.current().info().startInstant().map(Instant::toEpochMilli).orElse(now);
            System.err.println("trace-phase " + phase + " at " + now + " (" + (now - jvm) + "ms after the JVM started)");
        }
    }

    /** Releases the lock (when taken), then closes every connection and run resource. */
    private void close(RunLock lock, Connections connections) {
        try {
            if (lock != null) {
                lock.close();
            }
        } finally {
            long t0 = System.nanoTime();
            connections.close();
            long t1 = System.nanoTime();
            resources.close();
            Trace.line("close", "connections=%.0fms resources=%.0fms", Trace.ms(t0, t1), Trace.ms(t1, System.nanoTime()));
        }
    }
}

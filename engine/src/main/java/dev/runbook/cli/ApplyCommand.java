package dev.runbook.cli;

import dev.runbook.error.ExitCode;
import dev.runbook.error.RunbookException;
import dev.runbook.event.ConsoleListener;
import dev.runbook.event.HostResult;
import dev.runbook.event.JsonListener;
import dev.runbook.event.Listeners;
import dev.runbook.event.RunListener;
import dev.runbook.exec.Executor;
import dev.runbook.exec.Planner;
import dev.runbook.exec.RunOptions;
import dev.runbook.journal.Journal;
import dev.runbook.journal.JournalReader;
import dev.runbook.lock.Holder;
import dev.runbook.lock.HostLock;
import dev.runbook.lock.RunLock;
import dev.runbook.transport.Connections;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code runbook apply}: check everything, connect to every host, then run the step graph; journal it all. */
@Command(name = "apply", description = "Run a runbook against an inventory.")
final class ApplyCommand implements Callable<Integer> {
    /** Journals live under {@code ./.runbook/runs}, or under {@code -Drunbook.state=DIR}. */
    static Path runs() {
        return Path.of(System.getProperty("runbook.state", ".runbook"), "runs");
    }

    @Mixin
    RunArgs args;

    @Mixin
    ExecArgs exec;

    @Option(names = "--check", description = "print what would run per host and check that every host is reachable; change nothing")
    boolean check;

    @Override
    public Integer call() {
        return run(args, exec, check, Set.of(), Map.of(), null, null, null);
    }

    /**
     * Shared by apply and resume. {@code origin} is the first run of a resumed chain: a resumed run
     * sees its {@code run.id} and {@code run.timestamp}, so names built from them (staged files,
     * new data dirs, cluster tokens) are the ones the completed steps used.
     */
    static int run(RunArgs args, ExecArgs exec, boolean check, Set<String> done, Map<String, Map<String, Object>> registered,
                   String resumedFrom, String origin, List<String> argv) {
        if (exec.debug) {
            System.setProperty("runbook.debug", "true");
        }
        String runId = Journal.newRunId();
        String logical = origin != null ? origin : runId;
        Map<String, Object> runVars = new LinkedHashMap<>();
        runVars.put("id", logical);
        runVars.put("timestamp", logical.substring(0, logical.indexOf('-')));
        runVars.put("ticket", exec.ticket == null ? "" : exec.ticket);
        runVars.put("check", check);
        Session s = Session.load(args.runbook, args.inventory, args.givenInputs(), args.limit, runVars);
        registered.forEach((host, regs) -> regs.forEach((name, value) -> s.scopes.register(host, name, value)));
        AtomicBoolean cancelled = new AtomicBoolean();
        dev.runbook.action.RunResources resources = new dev.runbook.action.RunResources();
        RunOptions opts = new RunOptions(exec.forks, args.limit, cancelled, s.runbookPath.toAbsolutePath().getParent(), runId,
                new ConsoleOperator(exec.yes), done, resources);
        // every template on every host renders before anything runs: all missing variables at once
        Planner planner = new Planner(s.graph, s.targets, s.scopes, opts);
        List<Planner.StepPlan> plan = planner.plan();
        if (!check) {
            Integer relaunched = JitProfile.relaunchIfBulk(planner.bulkBytes());
            if (relaunched != null) {
                return relaunched;
            }
        }
        exec.applyKeyPassphrase();
        Connections connections = new Connections(Connections.standard(exec.acceptNewHostKeys, exec.connectTimeoutSeconds * 1000,
                exec.becomePassword()));
        // etcd calls made here may go through a member's SSH connection and read its TLS files
        resources.links(dev.runbook.action.HostLinks.of(s.inventory.hosts().values(), connections::get));
        if (check) {
            PlanCommand.print(System.out, s, plan);
            try {
                new Executor(s.graph, s.targets, s.scopes, connections, opts, new ConsoleListener(System.out, false), s.masker).connectAll();
                System.out.println();
                System.out.println("check: every host answered over SSH with a known host key, and every etcd step's members and TLS material were checked; nothing was changed");
                return 0;
            } finally {
                connections.close();
                resources.close();
            }
        }
        List<RunListener> ls = new ArrayList<>();
        ls.add(exec.output == ExecArgs.Output.json ? new JsonListener(System.out) : new ConsoleListener(System.out, exec.verbose));
        Journal journal = new Journal(runs(), runId);
        ls.add(journal);
        Listeners listener = new Listeners(ls);
        long start = System.currentTimeMillis();
        List<String> recorded = argv != null ? argv : exec.describeArgs(args);
        listener.runStarted(new RunListener.RunInfo(runId, s.runbookPath.toString(), s.runbook.sha256(),
                s.inventoryPath == null ? null : s.inventoryPath.toString(), s.inventory.sha256(), System.getProperty("user.name"),
                exec.ticket, false, s.printableInputs(), recorded, resumedFrom, start, s.reach()));
        Signals.onInterrupt(() -> {
            if (!cancelled.getAndSet(true)) {
                System.err.println("\ninterrupted: stopping; in-flight commands are being ended (Ctrl-C again to quit at once)");
            } else {
                Runtime.getRuntime().halt(ExitCode.ABORTED.code);
            }
        });
        int code;
        String outcome;
        List<HostResult> results = List.of();
        RunLock lock = null;
        try {
            Executor executor = new Executor(s.graph, s.targets, s.scopes, connections, opts, listener, s.masker);
            tracePhase("connecting");
            executor.connectAll(RunLock.COMMANDS_PER_HOST);
            tracePhase("connected");
            // the cluster's hosts; never the control machine (several clusters may share it)
            lock = RunLock.acquire(connections, s.targets.remoteHosts(s.graph.order()).stream().filter(h -> !h.local()).toList(),
                    new Holder(runId, s.runbookPath.getFileName().toString(), System.getProperty("user.name"), HostLock.thisMachine(),
                            ProcessHandle.current().pid(), java.time.Instant.now().toString()),
                    resumedFrom, ApplyCommand::ended, listener::message, Math.max(1, exec.forks));
            tracePhase("locked");
            results = executor.run();
            tracePhase("steps done");
            boolean failed = results.stream().anyMatch(r -> r.status() == HostResult.Status.FAILED
                    && !s.runbook.step(r.step()).map(st -> st.continueOnError()).orElse(false));
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
            close(lock, connections, resources);
            throw e;
        } catch (RuntimeException | Error e) {
            close(lock, connections, resources);
            throw e;
        }
        long released = System.nanoTime();
        lock.close();
        if (TRACE) {
            System.err.printf("trace-end release=%.0fms%n", (System.nanoTime() - released) / 1e6);
        }
        // the recap as soon as the lock is released; closing connections is left for after it
        try {
            listener.runFinished(new RunListener.RunSummary(runId, code, outcome, System.currentTimeMillis() - start, results));
            journal.close();
            if (code != 0) {
                System.out.println("journal: " + journal.dir() + (code == 1 || code == 3 ? "   resume with: runbook resume " + runId : ""));
            }
        } finally {
            close(null, connections, resources);
        }
        return code;
    }

    private static final boolean TRACE = System.getenv("RUNBOOK_TRACE") != null;

    /** With RUNBOOK_TRACE: when a phase of the run ended (epoch ms, to line up with the caller's clock). */
    private static void tracePhase(String phase) {
        if (TRACE) {
            long now = System.currentTimeMillis();
            long jvm = ProcessHandle.current().info().startInstant().map(java.time.Instant::toEpochMilli).orElse(now);
            System.err.println("trace-phase " + phase + " at " + now + " (" + (now - jvm) + "ms after the JVM started)");
        }
    }

    /** Releases the lock (when taken), then closes every connection and run resource. */
    private static void close(RunLock lock, Connections connections, dev.runbook.action.RunResources resources) {
        try {
            if (lock != null) {
                lock.close();
            }
        } finally {
            long t0 = System.nanoTime();
            connections.close();
            long t1 = System.nanoTime();
            resources.close();
            if (TRACE) {
                System.err.printf("trace-close connections=%.0fms resources=%.0fms%n", (t1 - t0) / 1e6, (System.nanoTime() - t1) / 1e6);
            }
        }
    }

    /** True when this machine's journal of {@code runId} records its end (a lock it left is stale). */
    static boolean ended(String runId) {
        try {
            return JournalReader.read(runs(), runId).end() != null;
        } catch (RunbookException e) {
            return false;
        }
    }
}

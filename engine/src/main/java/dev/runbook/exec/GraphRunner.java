package dev.runbook.exec;

import dev.runbook.error.RunbookException;
import dev.runbook.event.HostResult;
import dev.runbook.event.HostResult.Status;
import dev.runbook.event.RunListener;
import dev.runbook.graph.StepGraph;
import dev.runbook.inventory.Host;
import dev.runbook.model.Step;
import dev.runbook.transport.Connections;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;

/**
 * Runs a step graph: steps whose needs are done start (concurrently when independent), each over
 * its hosts in parallel (at most {@code forks} at once) or in rolling batches. Fail-fast: after a
 * failure no new step or host starts, in-flight work finishes, and the recap says what ran where.
 * Cancellation (Ctrl-C) additionally kills in-flight commands.
 */
public final class GraphRunner {
    private final StepGraph graph;
    private final Targets targets;
    private final Scopes scopes;
    private final Connections connections;
    private final RunOptions options;
    private final RunListener listener;
    private final HostRunner runner;
    private final Rollout rollout;
    private final Preflight preflight;
    private final List<HostResult> results = Collections.synchronizedList(new ArrayList<>());
    private volatile boolean stopping;
    private volatile boolean aborted;

    public GraphRunner(StepGraph graph, Targets targets, Scopes scopes, Connections connections, RunOptions options,
                    RunListener listener, Masker masker) {
        this.graph = graph;
        this.targets = targets;
        this.scopes = scopes;
        this.connections = connections;
        this.options = options;
        this.listener = listener;
        this.runner = new HostRunner(scopes, connections, options, masker,
                new ProgressThrottle(msg -> this.listener.message(masker.mask(msg)), 5000, System::currentTimeMillis));
        this.rollout = new Rollout(scopes, runner, options, listener);
        this.preflight = new Preflight(graph, targets, scopes, connections, options, runner);
    }

    /**
     * Connects to every host the run needs, in parallel, and runs every step's preflight, before
     * any step runs (see {@link Preflight#connectAll}).
     */
    public void connectAll() {
        preflight.connectAll(0);
    }

    /** As {@link #connectAll()}, counting {@code extraPerHost} more commands on every host than its steps (the run lock's). */
    public void connectAll(int extraPerHost) {
        preflight.connectAll(extraPerHost);
    }

    /** Walks the graph; returns the results of every step x host (including not-run ones). */
    public List<HostResult> run() {
        preflight.warmUp();
        ThreadFactory daemon = r -> {
            Thread t = new Thread(r, "runbook-step");
            t.setDaemon(true);
            return t;
        };
        ExecutorService stepPool = Executors.newCachedThreadPool(daemon);
        // the run's host threads, already started by connectAll (see Connections#hostThreads)
        ExecutorService hostPool = connections.hostThreads(Math.max(1, options.forks()));
        CompletionService<String[]> done = new ExecutorCompletionService<>(stepPool);
        Set<String> finished = new HashSet<>(options.alreadyDone());
        Set<String> started = new HashSet<>(options.alreadyDone());
        Set<String> failed = new HashSet<>();
        int running = 0;
        try {
            while (true) {
                if (!stopping && !options.cancelled().get()) {
                    for (Step s : graph.ready(finished, started)) {
                        started.add(s.id());
                        running++;
                        done.submit(() -> new String[] {s.id(), runStep(s, hostPool) ? "ok" : "failed"});
                    }
                }
                if (running == 0) {
                    break;
                }
                Future<String[]> f = done.take();
                running--;
                String[] r = f.get();
                if (r[1].equals("ok")) {
                    finished.add(r[0]);
                } else {
                    failed.add(r[0]);
                    stopping = true;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            options.cancelled().set(true);
        } catch (ExecutionException e) {
            throw new IllegalStateException("internal error in a step", e.getCause());
        } finally {
            stepPool.shutdownNow();
        }
        for (Step s : graph.order()) {
            if (!started.contains(s.id())) {
                for (Host h : targets.of(s)) {
                    results.add(new HostResult(s.id(), h.name(), Status.NOT_RUN, System.currentTimeMillis(), 0, -1,
                            failed.isEmpty() && !options.cancelled().get() ? "needs were not met" : "not run: the run stopped earlier",
                            "", "", 0, java.util.Map.of()));
                }
            }
        }
        return List.copyOf(results);
    }

    public boolean aborted() {
        return aborted || options.cancelled().get();
    }

    /** Runs one step on all its hosts; true when every host succeeded (or the step may fail). */
    private boolean runStep(Step step, ExecutorService hostPool) {
        List<Host> hosts = targets.of(step);
        listener.stepStarted(step, hosts.stream().map(Host::name).toList());
        String msg = "";
        boolean ok;
        try {
            if (step.rolling() == null) {
                ok = runBatch(step, hosts, hostPool);
            } else {
                ok = true;
                List<Host> ordered = rollout.order(step, hosts);
                List<Host> doneHosts = new ArrayList<>();
                for (int i = 0; i < ordered.size() && ok; i += step.rolling().batch()) {
                    List<Host> batch = ordered.subList(i, Math.min(ordered.size(), i + step.rolling().batch()));
                    ok = runBatch(step, batch, hostPool);
                    doneHosts.addAll(batch);
                    if (ok) {
                        String gate = rollout.gate(step, doneHosts, ordered.size());
                        if (gate != null) {
                            ok = false;
                            msg = gate;
                            results.add(new HostResult(step.id(), "gate", Status.FAILED, System.currentTimeMillis(), 0, -1, gate, "", "", 1,
                                    java.util.Map.of()));
                            listener.message(step.id() + ": " + gate);
                        }
                    }
                    if (!ok) {
                        for (Host h : ordered.subList(Math.min(ordered.size(), i + step.rolling().batch()), ordered.size())) {
                            notRun(step, h, "not started: an earlier batch or gate failed");
                        }
                    }
                }
            }
        } catch (RunbookException e) {
            ok = false;
            msg = e.describe();
            listener.message(step.id() + ": " + msg);
        }
        Status status = ok ? Status.OK : aborted() ? Status.ABORTED : step.continueOnError() ? Status.OK : Status.FAILED;
        if (!ok && step.continueOnError()) {
            msg = "failed, but continue_on_error is set";
        }
        listener.stepFinished(step, status, msg);
        return ok || step.continueOnError();
    }

    private boolean runBatch(Step step, List<Host> hosts, ExecutorService hostPool) {
        List<Future<HostResult>> futures = new ArrayList<>();
        for (Host h : hosts) {
            futures.add(hostPool.submit(() -> {
                if ((stopping && !step.continueOnError()) || options.cancelled().get()) {
                    return notRun(step, h, options.cancelled().get() ? "cancelled before it started" : "not started: another host failed");
                }
                HostResult r = step.isBlock() ? runBlock(step, h) : runner.run(step, h);
                if (!step.isBlock()) {
                    results.add(r);
                    listener.hostFinished(step, r);
                }
                if (r.status() == Status.ABORTED) {
                    aborted = true;
                    stopping = true;
                } else if (r.status() == Status.FAILED && !step.continueOnError()) {
                    stopping = true;
                }
                return r;
            }));
        }
        boolean ok = true;
        for (Future<HostResult> f : futures) {
            try {
                ok &= f.get().status().success();
            } catch (InterruptedException e) {
                // the run is ending: its hosts' tasks end too (the pool is the run's, it lives on)
                futures.forEach(x -> x.cancel(true));
                Thread.currentThread().interrupt();
                return false;
            } catch (ExecutionException e) {
                throw new IllegalStateException("internal error on a host", e.getCause());
            }
        }
        return ok;
    }

    /**
     * A block on one host: its sub-steps in order; the first failing one (without continue_on_error)
     * ends the block on this host. Returns an outcome for the block as a whole.
     */
    private HostResult runBlock(Step block, Host h) {
        long start = System.currentTimeMillis();
        if (block.when() != null) {
            try {
                if (!dev.runbook.template.Expressions.compile(block.when(), block.at())
                        .test(scopes.forHost(h, false), "in 'when' of block '" + block.id() + "'")) {
                    for (Step sub : block.block()) {
                        HostResult r = new HostResult(sub.id(), h.name(), Status.SKIPPED, start, 0, 0, "block skipped: " + block.when() + " is false",
                                "", "", 0, java.util.Map.of());
                        results.add(r);
                        listener.hostFinished(sub, r);
                    }
                    return new HostResult(block.id(), h.name(), Status.SKIPPED, start, 0, 0, "", "", "", 0, java.util.Map.of());
                }
            } catch (RunbookException e) {
                return new HostResult(block.id(), h.name(), Status.FAILED, start, 0, -1, e.describe(), "", "", 0, java.util.Map.of());
            }
        }
        Status worst = Status.OK;
        String msg = "";
        for (Step sub : block.block()) {
            if (worst != Status.OK || options.cancelled().get()) {
                notRun(sub, h, options.cancelled().get() ? "cancelled" : "not run: an earlier sub-step failed on this host");
                continue;
            }
            HostResult r = runner.run(sub, h);
            results.add(r);
            listener.hostFinished(sub, r);
            if (r.status() == Status.ABORTED) {
                worst = Status.ABORTED;
                msg = r.msg();
            } else if (!r.status().success() && !sub.continueOnError()) {
                worst = Status.FAILED;
                msg = sub.id() + ": " + r.msg();
            }
        }
        return new HostResult(block.id(), h.name(), worst, start, System.currentTimeMillis() - start, worst == Status.OK ? 0 : 1, msg, "", "", 1,
                java.util.Map.of());
    }

    private HostResult notRun(Step step, Host h, String why) {
        HostResult r = new HostResult(step.id(), h.name(), Status.NOT_RUN, System.currentTimeMillis(), 0, -1, why, "", "", 0, java.util.Map.of());
        results.add(r);
        listener.hostFinished(step, r);
        return r;
    }
}

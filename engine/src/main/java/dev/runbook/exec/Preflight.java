package dev.runbook.exec;

import dev.runbook.error.ExitCode;
import dev.runbook.error.RunbookException;
import dev.runbook.graph.StepGraph;
import dev.runbook.inventory.Host;
import dev.runbook.model.Step;
import dev.runbook.transport.Connections;
import java.util.ArrayList;
import java.util.List;

/**
 * What happens before a run's first step: every host connected at once, every action warmed up in
 * the background, and every step's preflight checked, so a run that cannot finish stops before it
 * changed anything.
 */
final class Preflight {
    private final StepGraph graph;
    private final Targets targets;
    private final Scopes scopes;
    private final Connections connections;
    private final RunOptions options;
    private final HostRunner runner;
    private boolean warming;

    Preflight(StepGraph graph, Targets targets, Scopes scopes, Connections connections, RunOptions options, HostRunner runner) {
        this.graph = graph;
        this.targets = targets;
        this.scopes = scopes;
        this.connections = connections;
        this.options = options;
        this.runner = runner;
    }

    /**
     * Connects to every host the run needs, in parallel, then runs every step's preflight. An
     * unreachable host or a bad host key stops the run here (exit 3: nothing was changed).
     * {@code extraPerHost} more commands than its steps are counted on every host (the run lock's
     * take and release): a host with three or more commands in all gets its persistent shell, so a
     * one-step run on 100 hosts costs each host one SSH session, not three.
     */
    void connectAll(int extraPerHost) {
        warmUp();
        List<Host> hosts = targets.remoteHosts(graph.order());
        if (hosts.isEmpty()) {
            preflight();
            return;
        }
        // how many steps each host runs (block sub-steps included): hosts with several get their
        // persistent shell started now, in parallel with the other connections
        java.util.Map<String, Integer> planned = new java.util.HashMap<>();
        hosts.forEach(h -> planned.put(h.name(), extraPerHost));
        for (Step s : graph.order()) {
            int per = s.isBlock() ? s.block().size() : 1;
            for (Host h : targets.of(s)) {
                planned.merge(h.name(), per, Integer::sum);
            }
        }
        List<RuntimeException> failed = connections.openAll(hosts, Math.max(options.forks(), 1), h -> planned.getOrDefault(h.name(), 0));
        if (!failed.isEmpty()) {
            StringBuilder sb = new StringBuilder("cannot reach " + failed.size() + " of " + hosts.size() + " hosts; nothing was run:");
            String hint = null;
            for (RuntimeException e : failed) {
                sb.append("\n  ").append(e.getMessage());
                if (hint == null && e instanceof RunbookException re) {
                    hint = re.hint();
                }
            }
            throw new RunbookException(ExitCode.ABORTED, null, sb.toString(), hint);
        }
        preflight();
    }

    /** Every step's {@link dev.runbook.action.Action#preflight}, on its first host: a failure stops the run before any step. */
    private void preflight() {
        for (Step s : graph.order()) {
            List<Host> hosts = targets.of(s);
            if (hosts == null || hosts.isEmpty() || options.alreadyDone().contains(s.id())) {
                continue;
            }
            List<Step> parts = new ArrayList<>(s.isBlock() ? s.block() : List.of(s));
            for (Step p : parts) {
                p.action().preflight(runner.context(p, hosts.get(0), scopes.forHost(hosts.get(0), false), null));
            }
            if (s.rolling() != null && s.rolling().gate() != null) {
                s.rolling().gate().action().preflight(runner.context(s, hosts.get(0), scopes.forHost(hosts.get(0), false), null));
            }
        }
    }

    /**
     * Lets every action prepare on a background thread while the first steps run (see
     * {@link dev.runbook.action.Action#warmUp}): an etcd gate late in a restore must not be the
     * first code to load jetcd and TLS while the cluster is down.
     */
    void warmUp() {
        if (warming) {
            return;
        }
        warming = true;
        Thread t = new Thread(() -> {
            for (Step s : graph.order()) {
                List<Host> hosts = targets.of(s);
                if (hosts == null || hosts.isEmpty()) {
                    continue;
                }
                List<Step> parts = s.isBlock() ? s.block() : List.of(s);
                for (Step p : parts) {
                    warmUp(p, p.action(), hosts.get(0));
                }
                if (s.rolling() != null && s.rolling().gate() != null) {
                    warmUp(s, s.rolling().gate().action(), hosts.get(0));
                }
            }
        }, "runbook-warmup");
        t.setDaemon(true);
        t.start();
    }

    private void warmUp(Step s, dev.runbook.action.Action action, Host host) {
        try {
            action.warmUp(runner.context(s, host, scopes.forHost(host, false), null));
        } catch (RuntimeException e) {
            // preparation only: the step itself reports whatever is wrong
        }
    }
}

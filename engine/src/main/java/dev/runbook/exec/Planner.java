package dev.runbook.exec;

import dev.runbook.action.StepContext;
import dev.runbook.error.Problems;
import dev.runbook.error.RunbookException;
import dev.runbook.graph.StepGraph;
import dev.runbook.inventory.Host;
import dev.runbook.model.Rolling;
import dev.runbook.model.Step;
import dev.runbook.template.Expressions;
import dev.runbook.transport.Transport;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Renders what every step would do on every host, touching nothing: the plan printed by
 * {@code runbook plan} and {@code apply --check}, and the pre-run check that every template
 * renders on every host (all missing variables reported at once, before the first command).
 */
public final class Planner {
    /** One step's plan: per host the rendered operations, or why the host is skipped. */
    public record StepPlan(Step step, List<String> hosts, Map<String, List<String>> perHost) {
    }

    private final StepGraph graph;
    private final Targets targets;
    private final Scopes scopes;
    private final RunOptions options;
    private long bulk;

    public Planner(StepGraph graph, Targets targets, Scopes scopes, RunOptions options) {
        this.graph = graph;
        this.targets = targets;
        this.scopes = scopes;
        this.options = options;
    }

    /** The plan of every step; throws {@link Problems} listing every render error on every host. */
    public List<StepPlan> plan() {
        List<StepPlan> out = new ArrayList<>();
        List<RunbookException> problems = new ArrayList<>();
        for (Step step : graph.order()) {
            Map<String, List<String>> perHost = new java.util.LinkedHashMap<>();
            List<String> names = new ArrayList<>();
            for (Host host : targets.of(step)) {
                names.add(host.name());
                try {
                    perHost.put(host.name(), describe(step, host));
                } catch (RunbookException e) {
                    problems.add(e);
                }
            }
            out.add(new StepPlan(step, names, perHost));
        }
        Problems.throwIfAny(problems);
        return out;
    }

    /**
     * After {@link #plan}: the bytes the planned steps move through the engine's crypto on all
     * hosts together ({@link dev.runbook.action.BulkTransfer}), or -1 when some step's size is
     * known only at run time.
     */
    public long bulkBytes() {
        return bulk;
    }

    private List<String> describe(Step step, Host host) {
        if (step.isBlock()) {
            List<String> lines = new ArrayList<>();
            if (step.when() != null) {
                lines.add("only if " + step.when());
            }
            for (Step sub : step.block()) {
                lines.add("[" + sub.id() + "]" + (sub.name() != null ? " " + sub.name() : "") + (sub.destructive() ? "  ** DESTRUCTIVE **" : ""));
                describeOne(sub, host).forEach(l -> lines.add("  " + l));
            }
            addGate(step, host, lines);
            return lines;
        }
        List<String> lines = describeOne(step, host);
        addGate(step, host, lines);
        return lines;
    }

    private List<String> describeOne(Step step, Host host) {
        Map<String, Object> scope = scopes.forHost(host, true);
        List<String> lines = new ArrayList<>();
        if (step.when() != null) {
            Expressions.Expression when = Expressions.compile(step.when(), step.at());
            if (when.dependsOnRuntime(scope)) {
                lines.add("only if " + step.when() + "  (decided at run time)");
            } else if (!when.test(scope, "in 'when' of step '" + step.id() + "' on host '" + host.name() + "'")) {
                return List.of("skipped: when " + step.when() + " is false");
            }
        }
        StepContext ctx = new StepContext(host, scope, Planner::noTransport, "in step '" + step.id() + "' on host '" + host.name() + "'",
                step.timeout(), () -> false, options.baseDir(), options.runId(), options.operator(), options.resources(), m -> { });
        lines.addAll(step.action().describe(ctx));
        long b = dev.runbook.action.BulkTransfer.of(step.action(), ctx);
        bulk = bulk < 0 || b < 0 ? dev.runbook.action.BulkTransfer.UNKNOWN : bulk + b;
        if (step.retries() > 0) {
            lines.add("  retried up to " + step.retries() + " times every " + step.delay().toMillis() + "ms"
                    + (step.until() != null ? " until " + step.until() : " until it succeeds"));
        }
        return lines;
    }

    private void addGate(Step step, Host host, List<String> lines) {
        if (step.rolling() != null && step.rolling().gate() != null) {
            Rolling.Gate g = step.rolling().gate();
            lines.add("  gate after each batch" + (g.when() != null ? " when " + g.when() : "") + " (up to " + g.timeout().toSeconds() + "s):");
            Host gateHost = g.hosts().equals("control") ? scopes.control() : host;
            Map<String, Object> gscope = new java.util.HashMap<>(scopes.forHost(gateHost, true));
            gscope.put("rolling", new dev.runbook.template.Placeholder("rolling"));
            StepContext gctx = new StepContext(gateHost, gscope, Planner::noTransport, "in the gate of step '" + step.id() + "'",
                    g.timeout(), () -> false, options.baseDir(), options.runId(), options.operator(), options.resources(), m -> { });
            g.action().describe(gctx).forEach(l -> lines.add("    " + l));
        }
    }

    private static Transport noTransport() {
        throw new IllegalStateException("a plan must not touch hosts");
    }
}

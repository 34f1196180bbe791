package dev.runbook.exec;

import dev.runbook.action.ActionResult;
import dev.runbook.error.RunbookException;
import dev.runbook.event.RunListener;
import dev.runbook.inventory.Host;
import dev.runbook.model.Rolling;
import dev.runbook.model.Step;
import dev.runbook.template.Expressions;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The order and gates of a rolling step: hosts in the declared order, cut into batches; after each
 * batch a gate is retried until it passes or times out. The gate sees {@code rolling.done},
 * {@code rolling.total}, {@code rolling.quorum}, {@code rolling.done_hosts}, {@code rolling.done_addresses}.
 */
final class Rollout {
    private final Scopes scopes;
    private final HostRunner runner;
    private final RunOptions options;
    private final RunListener listener;

    Rollout(Scopes scopes, HostRunner runner, RunOptions options, RunListener listener) {
        this.scopes = scopes;
        this.runner = runner;
        this.options = options;
        this.listener = listener;
    }

    /** The hosts in rolling order; unknown names in an explicit order are an error. */
    List<Host> order(Step step, List<Host> hosts) {
        Rolling r = step.rolling();
        Map<String, Host> byName = new LinkedHashMap<>();
        hosts.forEach(h -> byName.put(h.name(), h));
        List<String> names = switch (r.order()) {
            case "reverse" -> {
                List<String> l = new ArrayList<>(byName.keySet());
                java.util.Collections.reverse(l);
                yield l;
            }
            case "list" -> r.orderList();
            case "expr" -> {
                Object v = Expressions.compile(r.orderExpr(), r.at()).evaluate(scopes.forHost(scopes.control(), false),
                        "in the rolling order of step '" + step.id() + "'");
                yield v instanceof Collection<?> c ? c.stream().map(String::valueOf).toList()
                        : List.of(String.valueOf(v).split("[,\\s]+"));
            }
            default -> new ArrayList<>(byName.keySet());
        };
        List<Host> out = new ArrayList<>();
        for (String n : names) {
            if (byName.containsKey(n)) {
                out.add(byName.get(n));
            } else {
                // a name outside the step's hosts: excluded by --limit, or a typo; neither may pass silently
                listener.message("step '" + step.id() + "': rolling order names '" + n + "', which is not among its hosts; skipped");
            }
        }
        for (Host h : hosts) {
            if (!out.contains(h)) {
                throw RunbookException.invalid(r.at(), "rolling order of step '" + step.id() + "' does not mention host '" + h.name() + "'",
                        "list every host of the step, or use order: inventory");
            }
        }
        return out;
    }

    /**
     * Waits for the gate after a batch. Returns null when it passed (or did not apply), else why not.
     */
    String gate(Step step, List<Host> done, int total) {
        Rolling.Gate g = step.rolling().gate();
        if (g == null) {
            return null;
        }
        Map<String, Object> rolling = new HashMap<>();
        rolling.put("done", done.size());
        rolling.put("total", total);
        rolling.put("quorum", total / 2 + 1);
        rolling.put("remaining", total - done.size());
        rolling.put("done_hosts", done.stream().map(Host::name).toList());
        rolling.put("done_addresses", done.stream().map(Host::address).toList());
        Map<String, Object> controlScope = new HashMap<>(scopes.forHost(scopes.control(), false));
        controlScope.put("rolling", rolling);
        if (g.when() != null && !Expressions.compile(g.when(), g.at()).test(controlScope, "in the gate of step '" + step.id() + "'")) {
            listener.message(step.id() + ": gate skipped after " + done.size() + "/" + total + " (" + g.when() + " is false)");
            return null;
        }
        List<Host> where = g.hosts().equals("control") ? List.of(scopes.control()) : done;
        long deadline = System.nanoTime() + g.timeout().toNanos();
        String last = "";
        int tries = 0;
        while (!options.cancelled().get()) {
            tries++;
            boolean all = true;
            for (Host h : where) {
                Map<String, Object> scope = new HashMap<>(h.name().equals("control") ? controlScope : scopes.forHost(h, false));
                scope.put("rolling", rolling);
                ActionResult r = HostRunner.execute(g.action(), runner.context(step, h, scope, g.timeout()));
                boolean ok = !r.failed();
                if (g.until() != null) {
                    scope.put("result", r.registered());
                    ok = Expressions.compile(g.until(), g.at()).test(scope, "in the gate of step '" + step.id() + "'");
                }
                if (!ok) {
                    all = false;
                    last = h.name() + ": " + (r.msg() == null || r.msg().isBlank() ? "" : r.msg() + " ") + r.stderr().strip();
                    break;
                }
            }
            if (all) {
                listener.message(step.id() + ": gate passed after " + done.size() + "/" + total + " hosts (" + tries + " tries)");
                return null;
            }
            if (System.nanoTime() + g.delay().toNanos() > deadline) {
                break;
            }
            HostRunner.sleep(g.delay());
        }
        return options.cancelled().get() ? "cancelled while waiting at the gate"
                : "gate did not pass within " + g.timeout().toSeconds() + "s after " + done.size() + "/" + total + " hosts: " + last.strip();
    }
}

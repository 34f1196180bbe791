package dev.runbook.action.etcd;

import dev.runbook.action.Action;
import dev.runbook.action.ActionResult;
import dev.runbook.action.StepContext;
import dev.runbook.error.RunbookException;
import dev.runbook.model.Node;
import dev.runbook.parse.Fields;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * {@code etcd.health}: is each endpoint able to serve a linearizable read (what {@code etcdctl
 * endpoint health} checks)? Without {@code wait} it checks once and needs every endpoint healthy;
 * {@code wait: quorum|all|<n>} polls until that many are healthy or the step's {@code timeout}
 * (default 60s) passes, telling the operator who is still missing.
 */
final class HealthAction extends EtcdAction {
    private final dev.runbook.template.Template wait;

    private HealthAction(EtcdTarget.Spec spec, dev.runbook.template.Template wait) {
        super(spec);
        this.wait = wait;
    }

    static Action create(Node value) {
        Fields f = new Fields(value, "etcd.health");
        EtcdTarget.Spec spec = EtcdTarget.spec(f);
        String wait = f.string("wait", null);
        if (wait != null && !wait.contains("{{") && !valid(wait)) {
            throw RunbookException.invalid(f.at("wait"), "wait must be quorum, all or a number of members, not '" + wait + "'", null);
        }
        f.finish();
        return new HealthAction(spec, wait == null ? null : dev.runbook.template.Templates.text(wait, f.at("wait")));
    }

    private static boolean valid(String wait) {
        return wait.equals("quorum") || wait.equals("all") || wait.matches("\\d+");
    }

    @Override
    List<String> plan(StepContext ctx, String cluster) {
        return List.of("etcd health of " + cluster + (wait == null ? ": every endpoint must be healthy"
                : ": wait until " + ctx.render(wait) + " healthy (up to " + timeout(ctx, Duration.ofSeconds(60)).toSeconds() + "s)"));
    }

    static int needed(String wait, int total) {
        if (wait == null || wait.equals("all")) {
            return total;
        }
        return wait.equals("quorum") ? total / 2 + 1 : Math.min(total, Integer.parseInt(wait));
    }

    @Override
    ActionResult execute(StepContext ctx, EtcdTarget target) {
        String wait = this.wait == null ? null : ctx.render(this.wait).trim();
        if (wait != null && !valid(wait)) {
            return ActionResult.failed("wait must be quorum, all or a number of members, not '" + wait + "'");
        }
        int need = needed(wait, target.endpoints().size());
        long deadline = System.nanoTime() + timeout(ctx, Duration.ofSeconds(60)).toNanos();
        Map<String, String> last;
        Map<String, String> names = null;
        int tries = 0;
        while (true) {
            tries++;
            last = check(ctx, target);
            long healthy = last.values().stream().filter(v -> v == null).count();
            if (healthy >= need) {
                return ActionResult.ok(false, healthy + "/" + last.size() + " healthy", result(last, tries));
            }
            if (names == null) {
                names = hostsByAddress(ctx);
            }
            Map<String, String> byAddress = names;
            List<String> bad = last.entrySet().stream().filter(e -> e.getValue() != null)
                    .map(e -> named(byAddress, e.getKey()) + ": " + e.getValue()).toList();
            if (wait == null || ctx.cancelled() || System.nanoTime() > deadline) {
                ActionResult r = ActionResult.failed(healthy + "/" + last.size() + " healthy, " + need + " needed"
                        + (wait == null ? "" : " after " + tries + " checks") + "; unhealthy: " + String.join("; ", bad));
                return new ActionResult(true, false, 1, "", "", r.msg(), result(last, tries), false);
            }
            ctx.progress("etcd health: " + healthy + "/" + last.size() + " healthy, waiting for " + wait + "; not yet: "
                    + String.join(", ", bad.stream().map(b -> b.substring(0, b.indexOf(": "))).toList()));
            try {
                // probes fail fast (a refused connection does not retry inside the call), and a
                // probe on a kept channel costs ~2 ms: look again soon, a member's readiness is the RTO
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return ActionResult.failed("interrupted");
            }
        }
    }

    /** Inventory host names by address, so messages say "etcd-03 (https://10.0.0.13:2379)", not only the URL. */
    private static Map<String, String> hostsByAddress(StepContext ctx) {
        Map<String, String> out = new LinkedHashMap<>();
        if (ctx.scope().get("hostvars") instanceof Map<?, ?> hv) {
            hv.forEach((name, vars) -> {
                if (vars instanceof Map<?, ?> v && v.get("address") != null) {
                    out.putIfAbsent(String.valueOf(v.get("address")), String.valueOf(name));
                }
            });
        }
        return out;
    }

    private static String named(Map<String, String> byAddress, String endpoint) {
        try {
            String host = java.net.URI.create(endpoint).getHost();
            String name = host == null ? null : byAddress.get(host);
            return name == null ? endpoint : name + " (" + endpoint + ")";
        } catch (IllegalArgumentException e) {
            return endpoint;
        }
    }

    /** endpoint -> null when healthy, else why not. Endpoints are checked in parallel. */
    static Map<String, String> check(StepContext ctx, EtcdTarget target) {
        EtcdClients clients = EtcdClients.of(ctx);
        Map<String, CompletableFuture<String>> futures = new LinkedHashMap<>();
        for (String ep : target.endpoints()) {
            futures.put(ep, CompletableFuture.supplyAsync(() -> probe(clients, target, ep)));
        }
        Map<String, String> out = new LinkedHashMap<>();
        futures.forEach((ep, f) -> out.put(ep, f.join()));
        return out;
    }

    static String probe(EtcdClients clients, EtcdTarget target, String ep) {
        try {
            // a linearizable read needs the member to be part of a working quorum, as etcdctl's check does
            EtcdClients.call(clients.linearizableRead(target, ep, "health"), ep, "health", millis(target.callTimeout()));
            return null;
        } catch (EtcdClients.EtcdException e) {
            String m = e.getMessage();
            if (m.contains("permission denied")) {
                return null;
            }
            clients.discard(target, ep);
            return m.replace("health: ", "").replace(" on " + ep, "");
        }
    }

    private static Map<String, Object> result(Map<String, String> health, int tries) {
        List<String> healthy = new ArrayList<>();
        Map<String, Object> unhealthy = new LinkedHashMap<>();
        health.forEach((ep, err) -> {
            if (err == null) {
                healthy.add(ep);
            } else {
                unhealthy.put(ep, err);
            }
        });
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("healthy", healthy);
        r.put("unhealthy", unhealthy);
        r.put("healthy_count", healthy.size());
        r.put("total", health.size());
        r.put("checks", tries);
        return r;
    }
}
